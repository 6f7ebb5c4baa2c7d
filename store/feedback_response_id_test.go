package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A Responses API client holds its answer's id (resp_...), the id it
// reads, continues and cancels the answer by: rating by that id rates the
// call that made it, within the same key rules as the x-request-id. An id
// two of the logged calls the key can see share (a server that repeats
// its ids) names no one answer and stays unknown; one another key's call
// shares too is still the key's own call's.
func TestAResponsesAnswerIsRatedByItsID(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	mine, theirs := sampleRecord(requestID(1), sampleTime), sampleRecord(requestID(2), sampleTime)
	mine.API, mine.ResponseID, mine.KeyID = "responses", "resp_mine", "key_a"
	theirs.API, theirs.ResponseID, theirs.KeyID = "responses", "resp_theirs", "key_b"
	twice1, twice2 := sampleRecord(requestID(3), sampleTime), sampleRecord(requestID(4), sampleTime)
	twice1.API, twice1.ResponseID = "responses", "resp_twice"
	twice2.API, twice2.ResponseID = "responses", "resp_twice"
	ours, others := sampleRecord(requestID(5), sampleTime), sampleRecord(requestID(6), sampleTime)
	ours.API, ours.ResponseID, ours.KeyID = "responses", "resp_shared", "key_a"
	others.API, others.ResponseID, others.KeyID = "responses", "resp_shared", "key_b"
	logged(t, s, mine, theirs, twice1, twice2, ours, others)

	require.NoError(t, s.RateAnswer(ctx, "key_a", "resp_mine", 0.25, "meh", ""))
	fb, err := s.GetFeedback(ctx, mine.RequestID)
	require.NoError(t, err, "the rating is the call's, under its x-request-id")
	assert.Equal(t, 0.25, fb.Score)

	err = s.RateAnswer(ctx, "key_a", "resp_theirs", 1, "", "")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err), "another key's answer")
	err = s.RateAnswer(ctx, "", "resp_twice", 1, "", "")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err), "an id two calls share")
	require.NoError(t, s.RateAnswer(ctx, "key_a", "resp_shared", 0.5, "", ""), "another key's call sharing the id is not key_a's to see")
	fb, err = s.GetFeedback(ctx, ours.RequestID)
	require.NoError(t, err)
	assert.Equal(t, 0.5, fb.Score)
	for _, id := range []string{theirs.RequestID, twice1.RequestID, twice2.RequestID, others.RequestID} {
		_, err = s.GetFeedback(ctx, id)
		assert.Equal(t, router.ENotFound, router.ErrorCode(err), "nothing written for %s", id)
	}
}
