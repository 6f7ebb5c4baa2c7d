package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// With --keep-prompts one batch of rows with long prompts can pass the
// held-rows limit alone. Past the limit the oldest rows go, not the whole
// batch: the newest rows that fit are kept and written once the lock goes,
// rather than every row of the batch lost to the first lock.
func TestABatchOverTheHeldLimitKeepsItsNewestRowsThatFit(t *testing.T) {
	const fits, n = 20, 100
	s, release := openLocked(t, store.WithBatchSize(n),
		store.WithHeldLimit(fits*store.HeldBytes(sampleRecord(requestID(1), sampleTime))))
	for i := 1; i <= n; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	require.Error(t, s.Log().Flush(context.Background()))
	stats := s.Log().Stats()
	assert.EqualValues(t, fits, stats.Held, "the rows that fit are held")
	assert.EqualValues(t, n-fits, stats.Failed, "the oldest are dropped and counted")

	release()
	require.NoError(t, s.Log().Flush(context.Background()))
	assert.Equal(t, fits, countDecisions(t, s), "the held rows are written")
	var newest int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM decisions WHERE request_id > ?`,
		requestID(n-fits)).Scan(&newest))
	assert.Equal(t, fits, newest, "the held rows are the newest")
}

// A row larger than the held-rows limit alone (a prompt of several MB kept
// with --keep-prompts under a small --max-held-bytes) could never be held:
// it is dropped and counted by itself, and the older held rows, which fit,
// stay and are written once the lock goes, rather than every one of them
// pushed out ahead of it.
func TestARowLargerThanTheHeldLimitAloneIsDroppedWithoutTheHeldRows(t *testing.T) {
	const held = 5
	limit := 10 * store.HeldBytes(sampleRecord(requestID(1), sampleTime))
	s, release := openLocked(t, store.WithHeldLimit(limit))
	for i := 1; i <= held; i++ {
		s.Log().Record(sampleRecord(requestID(i), sampleTime))
	}
	require.Error(t, s.Log().Flush(context.Background()))
	huge := sampleRecord(requestID(held+1), sampleTime)
	huge.PromptText = strings.Repeat("x", int(limit))
	s.Log().Record(huge)
	require.Error(t, s.Log().Flush(context.Background()))
	stats := s.Log().Stats()
	assert.EqualValues(t, held, stats.Held, "the rows that fit stay held")
	assert.EqualValues(t, 1, stats.Failed, "only the row over the limit alone is dropped")

	release()
	require.NoError(t, s.Log().Flush(context.Background()))
	assert.Equal(t, held, countDecisions(t, s), "the held rows are written")
}
