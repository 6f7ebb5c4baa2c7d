package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// A budget set on a key while its calls are under way counts them at what
// they are expected to cost, as it would had it been set before they
// began: otherwise a key whose workers are all busy when it is capped
// starts as many calls again on the new budget, none of those under way
// counting until it has finished.
func TestTrackerCountsTheCallsUnderWayWhenABudgetIsSet(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{}, logged: map[string][]spend{}}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	var ends []func(float64)
	for range 4 {
		end, err := tr.Hold(ctx, "key_a", 0.3, c.t)
		require.NoError(t, err, "no budget yet")
		ends = append(ends, end)
	}

	src.setBudget("key_a", store.Budget{USD: 1, Period: store.PeriodDay})
	c.t = c.t.Add(budget.DefaultRefresh)
	err := tr.Admit(ctx, "key_a")
	var re *router.Error
	require.ErrorAs(t, err, &re, "4 calls under way are expected to spend $1.20 of $1.00")
	assert.Equal(t, router.EInsufficientQuota, re.Code)
	assert.False(t, re.Final, "they may cost less, or nothing")
	assert.Equal(t, "This API key has spent $0.00 of its budget of $1.00 a day, and its 4 calls under way are expected to spend $1.20 more;"+
		" retry once they have finished.", re.Message)

	ends[0](0.1)
	ends[1](0)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.10 spent, $0.60 held")
	ends[2](0.5)
	ends[3](0.5)
	require.ErrorAs(t, tr.Admit(ctx, "key_a"), &re)
	assert.True(t, re.Final, "$1.10 spent")
}
