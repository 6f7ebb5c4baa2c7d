package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// serve --keep-decisions bounds the log: rows of calls older than the cut
// go, however many (the prune takes them a batch at a time), newer ones
// stay, and so do rated rows, which are the training set.
func TestPruneDecisionsDeletesOldRowsAndKeepsRatedOnes(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	const old = 1234 // more than two batches
	rows := make([]router.Record, 0, old+10)
	for i := range old {
		rows = append(rows, sampleRecord(requestID(i), sampleTime.Add(-48*time.Hour+time.Duration(i)*time.Millisecond)))
	}
	for i := range 10 {
		rows = append(rows, sampleRecord(requestID(old+i), sampleTime))
	}
	logged(t, s, rows...)
	require.NoError(t, s.AddFeedback(ctx, requestID(7), 1, "good", ""))

	n, err := s.PruneDecisions(ctx, sampleTime.Add(-time.Hour))
	require.NoError(t, err)
	assert.EqualValues(t, old-1, n)
	assert.Equal(t, 10+1, countDecisions(t, s))
	fb, err := s.GetFeedback(ctx, requestID(7))
	require.NoError(t, err, "the rated row and its feedback are kept")
	assert.Equal(t, "good", fb.Label)

	n, err = s.PruneDecisions(ctx, sampleTime.Add(-time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n)
}

// Budgets and `keys list` add up a key's spend from the log: a total
// budget over all its calls, a monthly or daily one from the period's
// start. Deleting old rows must not make a key's budget forget what its
// calls spent.
func TestKeySpendCountsWhatPrunedRowsSpent(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	day := func(d int, hour int) time.Time { return time.Date(2026, 3, d, hour, 0, 0, 0, time.UTC) }
	var rows []router.Record
	add := func(id, key string, at time.Time, usd float64) {
		r := sampleRecord(id, at)
		r.KeyID, r.CostUSD = key, usd
		rows = append(rows, r)
	}
	add("feb", "key_a", time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC), 8)
	add("d10a", "key_a", day(10, 9), 0.125)
	add("d10b", "key_a", day(10, 23), 0.25)
	add("d12", "key_a", day(12, 1), 0.5)
	add("d14", "key_a", day(14, 8), 1)
	add("other", "key_b", day(10, 9), 16)
	add("nokey", "", day(10, 9), 32)
	logged(t, s, rows...)

	spend := func(since time.Time) float64 {
		usd, err := s.KeySpend(ctx, "key_a", since, time.Time{})
		require.NoError(t, err)
		return usd
	}
	total, month, today := spend(time.Time{}), spend(day(1, 0)), spend(day(12, 0))
	require.Equal(t, 9.875, total)

	_, err := s.PruneDecisions(ctx, day(13, 0))
	require.NoError(t, err)
	require.Equal(t, 1, countDecisions(t, s), "only the newest row is kept")

	assert.Equal(t, total, spend(time.Time{}), "a total budget")
	assert.Equal(t, month, spend(day(1, 0)), "this month's")
	assert.Equal(t, today, spend(day(12, 0)), "from a day's start")
	b, err := s.KeySpend(ctx, "key_b", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 16.0, b, "another key's spend is its own")
}

// A running gateway's budget tracker counts its own calls as they finish
// and reads the log only for calls that began before it started. Rows of
// its own calls that a prune deleted must not be read back as the log's,
// or a budget set later would count those calls twice.
func TestKeySpendBeforeThePruneSplitLeavesOutLaterCallsOfThatDay(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	started := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	var rows []router.Record
	for i, c := range []struct {
		at  time.Time
		usd float64
	}{{started.Add(-3 * time.Hour), 1}, {started.Add(time.Hour), 2}, {started.Add(22 * time.Hour), 4}} {
		r := sampleRecord(requestID(i), c.at)
		r.KeyID, r.CostUSD = "key_a", c.usd
		rows = append(rows, r)
	}
	logged(t, s, rows...)
	require.NoError(t, s.AddBudgetStart(ctx, started))

	_, err := s.PruneDecisions(ctx, started.Add(48*time.Hour))
	require.NoError(t, err)
	require.Zero(t, countDecisions(t, s))

	before, err := s.KeySpend(ctx, "key_a", time.Time{}, started)
	require.NoError(t, err)
	assert.Equal(t, 1.0, before, "only the call that began before the split")
	today, err := s.KeySpend(ctx, "key_a", time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), started)
	require.NoError(t, err)
	assert.Equal(t, 1.0, today)
	all, err := s.KeySpend(ctx, "key_a", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, 7.0, all)
}

// Gateways on one database start at different times and each reads the
// log only up to its own start. Whichever of them prunes, the pruned spend
// is split at every start, so each one's read stays exact.
func TestKeySpendStaysExactUpToEveryGatewaysStartAfterAPrune(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	startA, startB := day.Add(12*time.Hour), day.Add(13*time.Hour+30*time.Minute)
	require.NoError(t, s.AddBudgetStart(ctx, startA))
	require.NoError(t, s.AddBudgetStart(ctx, startB))
	var rows []router.Record
	for i, c := range []struct {
		at  time.Time
		usd float64
	}{{day.Add(9 * time.Hour), 1}, {day.Add(13 * time.Hour), 2}, {day.Add(14 * time.Hour), 4}, {day.Add(34 * time.Hour), 8}} {
		r := sampleRecord(requestID(i), c.at)
		r.KeyID, r.CostUSD = "key_a", c.usd
		rows = append(rows, r)
	}
	logged(t, s, rows...)
	_, err := s.PruneDecisions(ctx, day.Add(48*time.Hour))
	require.NoError(t, err)
	require.Zero(t, countDecisions(t, s))

	spend := func(until time.Time) float64 {
		usd, err := s.KeySpend(ctx, "key_a", day, until)
		require.NoError(t, err)
		return usd
	}
	assert.Equal(t, 1.0, spend(startA), "the first gateway's read: the call before it started")
	assert.Equal(t, 3.0, spend(startB), "the second's: the calls before it started, the first gateway's included")
	assert.Equal(t, 15.0, spend(time.Time{}))
}
