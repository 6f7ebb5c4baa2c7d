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

// A call is checked against the period it is charged to, the one it began
// in (as the decision log dates it), even when the check comes after
// midnight: checked against the new day, a call that began just before it
// would spend the old day's budget past its cap, its check never having
// seen that day's spend.
func TestTrackerChecksACallAgainstTheDayItBegan(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodDay}}, logged: map[string][]spend{}}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	tr.Spend("key_a", 1, c.t) // the 26th's budget is spent

	began := time.Date(2026, 11, 26, 23, 59, 59, 900e6, time.UTC)
	c.t = time.Date(2026, 11, 27, 0, 0, 0, 100e6, time.UTC) // its body read, decided: checked after midnight
	_, err := tr.Hold(ctx, "key_a", 0.5, began)
	require.Error(t, err, "it would spend the 26th's budget, which is spent")
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.EInsufficientQuota, re.Code)
	assert.False(t, re.Final, "a retry begins on the 27th, whose budget is untouched")
	assert.Equal(t, "This API key has spent $1.00 of its budget of $1.00 a day in the period this call began in;"+
		" it started again at 2026-11-27 00:00 UTC, so a retry counts against the new one.", re.Message)

	spend, err := tr.Hold(ctx, "key_a", 0.5, c.t)
	require.NoError(t, err, "a call that began on the 27th")
	spend(1)

}

// The other way round: with the new day's budget spent, a call that began
// before midnight, on a day that spent nothing, is let in, and it spends
// that day's budget.
func TestTrackerLetsInACallWhoseDayHasBudgetLeft(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 23, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodDay}}, logged: map[string][]spend{}}
	tr := budget.New(src, c.now)
	ctx := context.Background()

	began := time.Date(2026, 11, 26, 23, 59, 59, 0, time.UTC)
	c.t = time.Date(2026, 11, 27, 0, 0, 1, 0, time.UTC)
	tr.Spend("key_a", 1, c.t) // the 27th's budget is spent
	spend, err := tr.Hold(ctx, "key_a", 0.5, began)
	require.NoError(t, err, "nothing spent on the 26th")
	spend(0.5)
	require.Error(t, tr.Admit(ctx, "key_a"), "the 27th is spent")
	spend, err = tr.Hold(ctx, "key_a", 0.4, began)
	require.NoError(t, err, "$0.50 of the 26th's $1.00 spent")
	spend(0)
}
