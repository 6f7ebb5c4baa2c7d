package store_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

func TestAddFeedback(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	s.Now = func() time.Time { return sampleTime }
	logged(t, s, sampleRecord("rated", sampleTime))

	require.NoError(t, s.AddFeedback(ctx, "rated", 0.2, "wrong", "missed the unit"))
	fb, err := s.GetFeedback(ctx, "rated")
	require.NoError(t, err)
	assert.Equal(t, store.Feedback{RequestID: "rated", Score: 0.2, Label: "wrong", Comment: "missed the unit", Time: sampleTime}, fb)

	// Later feedback replaces the earlier one.
	later := sampleTime.Add(time.Minute)
	s.Now = func() time.Time { return later }
	require.NoError(t, s.AddFeedback(ctx, "rated", 1, "good", ""))
	rows, err := s.Decisions(ctx, store.DecisionFilter{WithFeedback: true})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	require.NotNil(t, rows[0].Feedback)
	assert.Equal(t, store.Feedback{RequestID: "rated", Score: 1, Label: "good", Time: later}, *rows[0].Feedback)
}

func TestAddFeedbackWaitsForQueuedDecision(t *testing.T) {
	s := MustOpen(t)
	// No Flush: the decision may still sit in the log's queue.
	s.Log().Record(sampleRecord("just-answered", sampleTime))
	require.NoError(t, s.AddFeedback(context.Background(), "just-answered", 1, "", ""))
}

func TestAddFeedbackRejects(t *testing.T) {
	s := MustOpen(t)
	logged(t, s, sampleRecord("known", sampleTime))
	tests := []struct {
		name    string
		id      string
		score   float64
		label   string
		comment string
		code    string
	}{
		{"unknown request", "nope", 1, "", "", router.ENotFound},
		{"empty request id", "", 1, "", "", router.EInvalid},
		{"score above 1", "known", 1.5, "", "", router.EInvalid},
		{"negative score", "known", -0.1, "", "", router.EInvalid},
		{"NaN score", "known", math.NaN(), "", "", router.EInvalid},
		{"label too long", "known", 1, strings.Repeat("x", 201), "", router.EInvalid},
		{"comment too long", "known", 1, "", strings.Repeat("x", 10_001), router.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.AddFeedback(context.Background(), tt.id, tt.score, tt.label, tt.comment)
			require.Error(t, err)
			assert.Equal(t, tt.code, router.ErrorCode(err), err.Error())
		})
	}
	_, err := s.GetFeedback(context.Background(), "known")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err), "rejected feedback is not stored")
}

// TestAddFeedbackIsNotFailedByOtherLostRows: rows the decision log lost
// earlier (dropped past a held-rows limit that takes none while another
// process locked the database) are the writer's to report; feedback on a
// request whose row is still queued waits for it and is stored, instead of
// failing with the other rows' loss.
func TestAddFeedbackIsNotFailedByOtherLostRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lost.db")
	s, err := store.Open(path, store.WithBusyTimeout(time.Millisecond), store.WithCommitInterval(200*time.Millisecond),
		store.WithHeldLimit(1))
	require.NoError(t, err)
	defer s.Close()
	release := holdWriteLock(t, path)
	s.Log().Record(sampleRecord("lost", sampleTime))
	require.Eventually(t, func() bool { return s.Log().Stats().Failed == 1 }, 10*time.Second, time.Millisecond)
	release()

	s.Log().Record(sampleRecord("rated", sampleTime)) // queued for the 200 ms commit interval
	require.NoError(t, s.AddFeedback(context.Background(), "rated", 1, "", ""))
	fb, err := s.GetFeedback(context.Background(), "rated")
	require.NoError(t, err)
	assert.Equal(t, 1.0, fb.Score)
}

// A key rates only its own requests (and those made with no key): another
// key's request is as unknown as one never made.
func TestRateAnswerByKey(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	mine, theirs, open := sampleRecord(requestID(1), sampleTime), sampleRecord(requestID(2), sampleTime), sampleRecord(requestID(3), sampleTime)
	mine.KeyID, theirs.KeyID = "key_a", "key_b"
	logged(t, s, mine, theirs, open)

	require.NoError(t, s.RateAnswer(ctx, "key_a", mine.RequestID, 1, "", ""))
	err := s.RateAnswer(ctx, "key_a", theirs.RequestID, 0, "", "")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
	_, err = s.GetFeedback(ctx, theirs.RequestID)
	assert.Equal(t, router.ENotFound, router.ErrorCode(err), "nothing written")
	require.NoError(t, s.RateAnswer(ctx, "key_a", open.RequestID, 0.5, "", ""), "made with no key: anyone's")
	require.NoError(t, s.RateAnswer(ctx, "", theirs.RequestID, 0, "", ""), "no key to check")
}
