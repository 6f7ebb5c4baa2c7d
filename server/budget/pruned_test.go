package budget_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// A key with a total budget that spent it months ago stays refused after
// the gateway restarts and its old decision rows have been pruned: the
// spend outlives the rows.
func TestATotalBudgetStaysSpentAfterItsRowsArePruned(t *testing.T) {
	st, key := storeWithKey(t, store.Budget{USD: 1, Period: store.PeriodTotal})
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	logSpend(t, st, key, "old-1", now.AddDate(0, -3, 0), 0.75)
	logSpend(t, st, key, "old-2", now.AddDate(0, -2, 0), 0.5)
	n, err := st.PruneDecisions(ctx, now.AddDate(0, -1, 0))
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	tr := budget.New(st, func() time.Time { return now })
	err = tr.Admit(ctx, key)
	require.Error(t, err, "$1.25 of $1 was spent, though the rows are gone")
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.EInsufficientQuota, re.Code)
}

// The gateway prunes while it runs, its own calls' rows included. A budget
// set afterwards on a key that called meanwhile counts each call once: the
// tracker's own count for calls since it started, the log's (pruned rows
// included) for those before.
func TestABudgetSetAfterAPruneCountsEachCallOnce(t *testing.T) {
	st, key := storeWithKey(t, store.Budget{})
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	tr := startGateway(t, st, func() time.Time { return now })
	tr.Refresh = time.Nanosecond
	logSpend(t, st, key, "before-start", now.Add(-time.Hour), 0.375)
	require.NoError(t, tr.Admit(ctx, key), "no budget yet")
	began := now.Add(time.Minute)
	logSpend(t, st, key, "since-start", began, 0.5)
	tr.Spend(key, 0.5, began)

	now = now.Add(3 * time.Hour)
	_, err := st.PruneDecisions(ctx, now)
	require.NoError(t, err)
	_, err = st.SetKeyBudget(ctx, key, store.Budget{USD: 1, Period: store.PeriodTotal})
	require.NoError(t, err)
	assert.NoError(t, tr.Admit(ctx, key), "$0.875 of $1: the call since the start is counted once")
	tr.Spend(key, 0.25, now)
	assert.Error(t, tr.Admit(ctx, key), "$1.125 of $1")
}

func storeWithKey(t *testing.T, b store.Budget) (*store.Store, string) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "m.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, k, err := st.CreateKey(context.Background(), "k")
	require.NoError(t, err)
	if b.Capped() {
		_, err = st.SetKeyBudget(context.Background(), k.ID, b)
		require.NoError(t, err)
	}
	return st, k.ID
}

// startGateway makes a budget tracker as serve does: its start is recorded
// in the store before it counts a call.
func startGateway(t *testing.T, st *store.Store, now func() time.Time) *budget.Tracker {
	t.Helper()
	tr := budget.New(st, now)
	require.NoError(t, st.AddBudgetStart(context.Background(), tr.Started()))
	return tr
}

// logSpend logs a call made with key at at that cost usd.
func logSpend(t *testing.T, st *store.Store, key, id string, at time.Time, usd float64) {
	t.Helper()
	st.Log().Record(router.Record{RequestID: id, Time: at, API: "chat.completions", KeyID: key, CostUSD: usd, Status: 200})
	require.NoError(t, st.Log().Flush(context.Background()))
}
