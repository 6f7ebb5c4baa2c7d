package budget_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// source is a store stand-in: budgets by key, logged spend as dated
// entries, and how often each was read.
type source struct {
	mu          sync.Mutex
	budgets     map[string]store.Budget
	logged      map[string][]spend
	budgetReads int
	spendReads  int
	err         error
}

type spend struct {
	at  time.Time
	usd float64
}

func (s *source) KeyBudget(_ context.Context, id string) (store.Budget, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.budgetReads++
	return s.budgets[id], s.err
}

func (s *source) KeySpend(_ context.Context, id string, since time.Time) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spendReads++
	total := 0.0
	for _, e := range s.logged[id] {
		if !e.at.Before(since) {
			total += e.usd
		}
	}
	return total, s.err
}

func TestTrackerRefusesAKeyOverItsBudgetUntilThePeriodEnds(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	src := &source{
		budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}},
		// Spent before this process started: last month's does not count.
		logged: map[string][]spend{"key_a": {{now.AddDate(0, -1, 0), 5}, {now.Add(-time.Hour), 0.75}}},
	}
	tr := budget.New(src, func() time.Time { return now })
	ctx := context.Background()

	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.75 of $1")
	tr.Spend("key_a", 0.20)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.95 of $1")
	tr.Spend("key_a", 0.10)
	err := tr.Admit(ctx, "key_a")
	require.Error(t, err)
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.ERateLimited, re.Code)
	assert.Equal(t, "insufficient_quota", re.Reason)
	assert.Equal(t, "This API key has spent $1.05 of its budget of $1.00 a month; it starts again at 2026-12-01 00:00 UTC."+
		" Ask the gateway's operator to raise it (modelrouter keys budget).", re.Message)
	assert.Equal(t, 1, src.spendReads, "the log is read once; spend is then counted")

	// Another key, and calls without one, are not held back.
	assert.NoError(t, tr.Admit(ctx, "key_b"))
	assert.NoError(t, tr.Admit(ctx, ""))

	// A new month: spend starts again from the log's (empty) month.
	now = now.Add(2 * time.Hour)
	assert.NoError(t, tr.Admit(ctx, "key_a"))
}

func TestTrackerReadsABudgetAgainAfterTheRefresh(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 0.5, Period: store.PeriodDay}},
		logged: map[string][]spend{"key_a": {{now.Add(-time.Minute), 0.5}}}}
	tr := budget.New(src, func() time.Time { return now })
	ctx := context.Background()
	require.Error(t, tr.Admit(ctx, "key_a"))

	src.mu.Lock()
	src.budgets["key_a"] = store.Budget{USD: 2, Period: store.PeriodDay}
	src.mu.Unlock()
	now = now.Add(budget.DefaultRefresh / 2)
	require.Error(t, tr.Admit(ctx, "key_a"), "not read again yet")
	now = now.Add(budget.DefaultRefresh)
	require.NoError(t, tr.Admit(ctx, "key_a"), "raised")
	assert.Equal(t, 1, src.spendReads, "the same period: spend is still counted, not read again")

	// Moved to a total budget: spend is read again, all of it.
	src.mu.Lock()
	src.budgets["key_a"] = store.Budget{USD: 2, Period: store.PeriodTotal}
	src.logged["key_a"] = append(src.logged["key_a"], spend{now.AddDate(-1, 0, 0), 1.6})
	src.mu.Unlock()
	now = now.Add(budget.DefaultRefresh)
	require.Error(t, tr.Admit(ctx, "key_a"), "$2.10 in total")
	assert.Equal(t, 2, src.spendReads)

	// The cap removed: everything passes, and spend is no longer read.
	src.mu.Lock()
	src.budgets["key_a"] = store.Budget{}
	src.mu.Unlock()
	now = now.Add(budget.DefaultRefresh)
	require.NoError(t, tr.Admit(ctx, "key_a"))
	assert.Equal(t, 2, src.spendReads)
}

func TestTrackerRefusesWhenTheLogCannotBeRead(t *testing.T) {
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1}}, err: errors.New("disk I/O error")}
	tr := budget.New(src, nil)
	err := tr.Admit(context.Background(), "key_a")
	require.Error(t, err)
	assert.Equal(t, router.EInternal, router.ErrorCode(err), "an internal error: logged, and hidden from the client")
}

// Spend counted while many calls finish at once is not lost.
func TestTrackerCountsConcurrentSpend(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 100, Period: store.PeriodDay}}}
	tr := budget.New(src, func() time.Time { return now })
	ctx := context.Background()
	require.NoError(t, tr.Admit(ctx, "key_a"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				tr.Spend("key_a", 0.0124)
			}
		})
	}
	wg.Wait()
	require.NoError(t, tr.Admit(ctx, "key_a"), "$99.20 of $100")
	tr.Spend("key_a", 0.79)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$99.99: every one of the 8,000 was counted")
	tr.Spend("key_a", 0.02)
	require.Error(t, tr.Admit(ctx, "key_a"))
}
