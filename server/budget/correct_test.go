package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// A call counted at an estimate is corrected to what it cost, up or down,
// whether this process counted it (it began after the Tracker did) or the
// log did (it began before, and the log's spend was read already: it is
// read again, as the booking changed the call's row before Correct).
func TestCorrectedCostIsWhatTheKeySpent(t *testing.T) {
	c := &clock{time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)}
	before := c.t.Add(-time.Hour)
	src := &source{
		budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}},
		logged:  map[string][]spend{"key_a": {{before, 0.5}}},
	}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.50 of $1 spent")

	src.rebook("key_a", before, 1.1) // the log's call cost $1.10, booked in its row first
	tr.Correct("key_a", 0.6, before)
	assert.Error(t, tr.Admit(ctx, "key_a"))
	src.rebook("key_a", before, 0.5)
	tr.Correct("key_a", -0.6, before)
	require.NoError(t, tr.Admit(ctx, "key_a"))

	tr.Spend("key_a", 0.4, c.t) // this process's call, at its estimate
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.90 spent")
	tr.Correct("key_a", 0.2, c.t) // it cost $0.60
	err := tr.Admit(ctx, "key_a")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has spent $1.10")

	src.setBudget("key_b", store.Budget{USD: 1, Period: store.PeriodMonth})
	tr.Spend("key_b", 1.2, c.t) // estimated at $1.20
	require.Error(t, tr.Admit(ctx, "key_b"))
	tr.Correct("key_b", -1.1, c.t) // it cost $0.10
	assert.NoError(t, tr.Admit(ctx, "key_b"))
}

// The log dates a call to the millisecond (ts_ms), and its booked cost's
// Correct comes with that date: a call this process counted that began in
// the millisecond the Tracker started is still this process's to correct,
// not the log's, which reads only the calls of milliseconds before.
func TestACallBegunInTheTrackersFirstMillisecondIsCorrectedByIt(t *testing.T) {
	c := &clock{time.Date(2026, 11, 10, 12, 0, 0, 400_000, time.UTC)} // 0.4 ms into a millisecond
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}}}
	tr := budget.New(src, c.now)
	ctx := context.Background()

	began := c.t.Add(300 * time.Microsecond) // the same millisecond
	tr.Spend("key_a", 1.2, began)            // charged its estimate when it ended
	require.Error(t, tr.Admit(ctx, "key_a"))
	tr.Correct("key_a", -1.1, began.Truncate(time.Millisecond)) // it cost $0.10, dated as the log dates it
	assert.NoError(t, tr.Admit(ctx, "key_a"), "the booked cost gives back the room the estimate took")
}
