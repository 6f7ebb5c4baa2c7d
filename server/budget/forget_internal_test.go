package budget

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

type fixedSource struct{ b store.Budget }

func (s fixedSource) KeyBudget(context.Context, string) (store.Budget, error) { return s.b, nil }
func (fixedSource) KeySpend(context.Context, string, time.Time, time.Time) (float64, error) {
	return 0, nil
}

// A clock that steps back across a month's start (NTP at midnight) still
// sees the previous month's spend: forget keeps last month's days.
func TestClockStepBackAfterForgetKeepsMonthSpend(t *testing.T) {
	now := time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC)
	tr := New(fixedSource{store.Budget{USD: 1, Period: store.PeriodMonth}}, func() time.Time { return now })
	tr.Refresh = time.Nanosecond
	ctx := context.Background()
	tr.Spend("key_a", 1.5, now)
	require.Error(t, tr.Admit(ctx, "key_a"), "January's budget is spent")

	now = time.Date(2026, 2, 1, 0, 0, 1, 0, time.UTC)
	require.NoError(t, tr.Admit(ctx, "key_a"), "a new month")

	now = time.Date(2026, 1, 31, 23, 59, 58, 0, time.UTC) // the clock steps back 3 s
	assert.Error(t, tr.Admit(ctx, "key_a"), "January's spend (1.5 of 1) must still count in January")
}
