package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// Two gateways share one database; one of them runs --keep-decisions. The
// other's calls since it started are its own to count (README: "each counts
// only its own calls after it started"), so once their rows are pruned by
// the first gateway, they must not come back through the log's part too;
// the first gateway's calls before then still do.
func TestAPruneByAnotherGatewayDoesNotCountACallTwice(t *testing.T) {
	st, key := storeWithKey(t, store.Budget{})
	ctx := context.Background()
	day := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	nowA, nowB := day.Add(8*time.Hour), day.Add(9*time.Hour)
	startGateway(t, st, func() time.Time { return nowA }) // A, the one that prunes
	b := startGateway(t, st, func() time.Time { return nowB })
	b.Refresh = time.Nanosecond

	logSpend(t, st, key, "a-call", day.Add(8*time.Hour+30*time.Minute), 0.25)
	began := day.Add(9*time.Hour + 30*time.Minute)
	logSpend(t, st, key, "b-call", began, 0.6)
	b.Spend(key, 0.6, began)

	// Gateway A prunes rows older than an hour.
	nowA = day.Add(12 * time.Hour)
	_, err := st.PruneDecisions(ctx, nowA.Add(-time.Hour))
	require.NoError(t, err)

	nowB = day.Add(12 * time.Hour)
	_, err = st.SetKeyBudget(ctx, key, store.Budget{USD: 1, Period: store.PeriodDay})
	require.NoError(t, err)
	assert.NoError(t, b.Admit(ctx, key), "the key spent $0.85 of $1.00 today, each call counted once")
	b.Spend(key, 0.2, nowB)
	assert.Error(t, b.Admit(ctx, key), "$1.05 of $1.00: A's call before B started still counts")
}
