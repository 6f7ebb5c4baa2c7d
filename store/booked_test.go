package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// Reads of a finished background answer that come at once each find its
// row estimated, but only one books the job's usage: the others change
// nothing, so the key's budget is corrected once.
func TestConcurrentReadsBookABackgroundAnswersUsageOnce(t *testing.T) {
	s := MustOpen(t)
	r := sampleRecord("req-bg", sampleTime)
	r.ResponseID, r.KeyID, r.UsageEstimated = "resp_bg", "key_1", true
	logged(t, s, r)

	real := router.Usage{PromptTokens: 40, CompletionTokens: 9000, ReasoningTokens: 8700, CachedTokens: 8}
	var booked atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			was, ok, err := s.Log().BookUsage(context.Background(), "resp_bg", real, 0.0144)
			if assert.NoError(t, err) && ok {
				booked.Add(1)
				assert.Equal(t, r.CostUSD, was.CostUSD, "the estimate it replaced")
				assert.Equal(t, "key_1", was.KeyID)
				assert.Equal(t, r.Time.UnixMilli(), was.Time.UnixMilli())
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, booked.Load())

	rows, err := s.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, real, rows[0].Usage)
	assert.InDelta(t, 0.0144, rows[0].CostUSD, 1e-12)
	assert.False(t, rows[0].UsageEstimated)
}

// A row whose usage the provider reported (not estimated), and an answer
// the log has no row of, book nothing.
func TestOnlyAnEstimatedRowIsBooked(t *testing.T) {
	s := MustOpen(t)
	r := sampleRecord("req-reported", sampleTime)
	r.ResponseID = "resp_reported"
	logged(t, s, r)

	for _, id := range []string{"resp_reported", "resp_unknown"} {
		_, ok, err := s.Log().BookUsage(context.Background(), id, router.Usage{PromptTokens: 1, CompletionTokens: 1}, 1)
		require.NoError(t, err)
		assert.False(t, ok, id)
	}
	rows, err := s.Decisions(context.Background(), store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, r.Usage, rows[0].Usage)
	assert.InDelta(t, r.CostUSD, rows[0].CostUSD, 1e-12)
}
