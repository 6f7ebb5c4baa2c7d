package budget

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

type monthSource struct{}

func (monthSource) KeyBudget(context.Context, string) (store.Budget, error) {
	return store.Budget{USD: 1e6, Period: store.PeriodMonth}, nil
}
func (monthSource) KeySpend(context.Context, string, time.Time, time.Time) (float64, error) {
	return 0, nil
}

// Every finished call adds to its key's spend for the UTC day it began; a
// gateway that runs for years keeps no more than two months of days (and
// the log's part of the current periods) per key, and a total budget still
// counts everything.
func TestTrackerMemoryIsBoundedOverTime(t *testing.T) {
	for name, src := range map[string]Source{
		"a month budget": monthSource{},
		// Never asked what it spent: it forgets its old days in Spend.
		"no budget": fixedSource{store.Budget{}},
	} {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			tr := New(src, func() time.Time { return now })
			tr.Refresh = time.Nanosecond
			ctx := context.Background()
			const days = 3 * 365
			for range days {
				require.NoError(t, tr.Admit(ctx, "key_a"))
				tr.Spend("key_a", 0.01, now)
				now = now.AddDate(0, 0, 1)
			}
			a := tr.keys["key_a"]
			assert.LessOrEqual(t, len(a.days), 62, "at most this month's days and last month's; %d kept", len(a.days))
			assert.LessOrEqual(t, len(a.logged), 2, "the log's part of past periods is never read again; %d kept", len(a.logged))
			assert.InDelta(t, days*0.01, a.earlier+sum(a.days), 1e-6, "nothing spent is lost")
		})
	}
}

func sum(days map[time.Time]float64) float64 {
	total := 0.0
	for _, v := range days {
		total += v
	}
	return total
}
