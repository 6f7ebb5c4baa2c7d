package budget_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// Calls sent at once each see what the others under way are expected to
// cost: of 100 calls expected at $0.30 each against $1.00, four are let in
// ($0.00, $0.30, $0.60 and $0.90 held before each), not all 100.
func TestTrackerLetsInOnlyTheCallsTheBudgetCanHold(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodDay}}}
	tr := budget.New(src, c.now)
	var admitted atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if _, err := tr.Hold(context.Background(), "key_a", 0.3, c.t); err == nil {
				admitted.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 4, admitted.Load())
}

// A call's hold gives way to what it cost once it finishes, once however
// often it is ended; a call that cost nothing (no answer, a provider's
// refusal) leaves nothing behind.
func TestTrackerReplacesAHoldWithWhatTheCallCost(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodDay}}}
	tr := budget.New(src, c.now)
	ctx := context.Background()

	first, err := tr.Hold(ctx, "key_a", 0.6, c.t)
	require.NoError(t, err)
	second, err := tr.Hold(ctx, "key_a", 0.6, c.t)
	require.NoError(t, err, "$0.60 held of $1.00")
	_, err = tr.Hold(ctx, "key_a", 0.6, c.t)
	require.Error(t, err, "$1.20 held")
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.EInsufficientQuota, re.Code)
	assert.False(t, re.Final, "the calls under way may cost less, or nothing")
	assert.Equal(t, "This API key has spent $0.00 of its budget of $1.00 a day, and its 2 calls under way are expected to spend $1.20 more;"+
		" retry once they have finished.", re.Message)

	first(0) // unanswered
	first(0.5)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.60 held, nothing spent: a second end of the first call counts nothing")
	second(0.7)
	second(0.7)
	third, err := tr.Hold(ctx, "key_a", 0.2, c.t)
	require.NoError(t, err, "$0.70 spent, nothing held")
	third(0.4)
	err = tr.Admit(ctx, "key_a")
	require.ErrorAs(t, err, &re)
	assert.True(t, re.Final, "$1.10 spent: only the next day or the operator helps")
}
