package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// budgetStarts lists the recorded gateway starts, oldest first.
func budgetStarts(t *testing.T, s *store.Store) []time.Time {
	t.Helper()
	rows, err := s.DB().Query(`SELECT at_ms FROM budget_starts ORDER BY at_ms`)
	require.NoError(t, err)
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var ms int64
		require.NoError(t, rows.Scan(&ms))
		out = append(out, time.UnixMilli(ms).UTC())
	}
	require.NoError(t, rows.Err())
	return out
}

// A prune deletes the gateway starts that no later prune can split at: a
// start with no row left after it on its UTC day, once that day ended a
// day before the cut. A start before a rated row stays (its feedback may
// be deleted and the row pruned later), and so does one of a day too
// recent for every row dated on it to have come in.
func TestPruneDeletesTheBudgetStartsNoLaterPruneCanSplitAt(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	day := func(d, hour int) time.Time { return time.Date(2026, 3, d, hour, 0, 0, 0, time.UTC) }
	busy, idle, beforeRated, recent := day(1, 8), day(1, 20), day(2, 9), day(3, 10)
	for _, at := range []time.Time{busy, idle, beforeRated, recent} {
		require.NoError(t, s.AddBudgetStart(ctx, at))
	}
	logged(t, s, sampleRecord("busy", day(1, 9)), sampleRecord("rated", day(2, 11)), sampleRecord("recent", day(3, 11)))
	require.NoError(t, s.AddFeedback(ctx, "rated", 1, "good", ""))

	_, err := s.PruneDecisions(ctx, day(4, 12))
	require.NoError(t, err)
	assert.Equal(t, []time.Time{beforeRated, recent}, budgetStarts(t, s))

	_, err = s.DB().Exec(`DELETE FROM feedback`)
	require.NoError(t, err)
	_, err = s.PruneDecisions(ctx, day(5, 0))
	require.NoError(t, err)
	assert.Zero(t, countDecisions(t, s))
	assert.Empty(t, budgetStarts(t, s), "no row is left after any start, and every start's day is over")
}

// Every budget a gateway keeps reads the log up to its own start (and
// `keys list` to now). However many starts a prune deletes, those reads
// stay what a log never pruned answers: through prunes that leave a start
// before a rated row, one that takes the row once its feedback is gone,
// and a row dated on a pruned day that came in late.
func TestBudgetsReadTheSameAsFromALogNeverPrunedWhileStartsArePruned(t *testing.T) {
	pruned, whole := MustOpen(t), MustOpen(t)
	ctx := context.Background()
	at := func(d, hour, minute int) time.Time { return time.Date(2026, 3, d, hour, minute, 0, 0, time.UTC) }
	var starts []time.Time
	for _, st := range []time.Time{at(1, 8, 0), at(1, 14, 30), at(2, 9, 0), at(4, 0, 0), at(5, 10, 0), at(5, 10, 5), at(9, 23, 59), at(17, 10, 0)} {
		starts = append(starts, st)
		for _, s := range []*store.Store{pruned, whole} {
			require.NoError(t, s.AddBudgetStart(ctx, st))
		}
	}
	n := 0
	log := func(key string, when time.Time, usd float64) string {
		n++
		r := sampleRecord(requestID(n), when)
		r.KeyID, r.CostUSD = key, usd
		logged(t, pruned, r)
		logged(t, whole, r)
		return r.RequestID
	}
	// Costs are powers of two, so sums grouped in other ways are equal.
	usd := 0.0078125
	for d := 1; d <= 18; d++ {
		for _, hm := range [][2]int{{0, 0}, {7, 59}, {8, 0}, {10, 3}, {14, 30}, {20, 0}, {23, 59}} {
			for _, key := range []string{"key_a", "key_b"} {
				log(key, at(d, hm[0], hm[1]), usd)
				usd *= 2
				if usd > 64 {
					usd = 0.0078125
				}
			}
		}
	}
	rated := log("key_a", at(5, 11, 0), 0.5)
	require.NoError(t, pruned.AddFeedback(ctx, rated, 1, "good", ""))

	check := func(stage string) {
		t.Helper()
		sinces := []time.Time{{}, at(1, 0, 0)}
		for d := 1; d <= 20; d++ {
			sinces = append(sinces, at(d, 0, 0))
		}
		for _, key := range []string{"key_a", "key_b"} {
			for _, since := range sinces {
				for _, until := range append([]time.Time{{}}, starts...) {
					want, err := whole.KeySpend(ctx, key, since, until)
					require.NoError(t, err)
					got, err := pruned.KeySpend(ctx, key, since, until)
					require.NoError(t, err)
					require.Equal(t, want, got, "%s: %s from %s to %s", stage, key, since, until)
				}
			}
		}
	}
	check("nothing pruned")
	_, err := pruned.PruneDecisions(ctx, at(18, 0, 0))
	require.NoError(t, err)
	require.Less(t, len(budgetStarts(t, pruned)), len(starts), "the prune deleted starts")
	require.Contains(t, budgetStarts(t, pruned), at(5, 10, 5), "the start before the rated row stays")
	require.Contains(t, budgetStarts(t, pruned), at(17, 10, 0), "a start of the last day before the cut stays")
	check("after a prune")

	log("key_b", at(17, 11, 0), 32) // a long call's row, dated on a day already pruned
	_, err = pruned.DB().Exec(`DELETE FROM feedback`)
	require.NoError(t, err)
	_, err = pruned.PruneDecisions(ctx, at(19, 12, 0))
	require.NoError(t, err)
	assert.NotContains(t, budgetStarts(t, pruned), at(5, 10, 5), "the rated row is gone, and so is its start")
	assert.NotContains(t, budgetStarts(t, pruned), at(17, 10, 0))
	check("after the rated row and the late one were pruned")
}
