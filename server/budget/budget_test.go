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

func (s *source) KeySpend(_ context.Context, id string, since, until time.Time) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spendReads++
	total := 0.0
	for _, e := range s.logged[id] {
		if !e.at.Before(since) && (until.IsZero() || e.at.Before(until)) {
			total += e.usd
		}
	}
	return total, s.err
}

func (s *source) setBudget(id string, b store.Budget) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.budgets[id] = b
}

// clock is a time the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestTrackerRefusesAKeyOverItsBudgetUntilThePeriodEnds(t *testing.T) {
	c := &clock{time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)}
	src := &source{
		budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}},
		// Spent before this process started: last month's does not count.
		logged: map[string][]spend{"key_a": {{c.t.AddDate(0, -1, 0), 5}, {c.t.Add(-time.Hour), 0.75}}},
	}
	tr := budget.New(src, c.now)
	ctx := context.Background()

	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.75 of $1")
	tr.Spend("key_a", 0.20, c.t)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.95 of $1")
	tr.Spend("key_a", 0.10, c.t)
	err := tr.Admit(ctx, "key_a")
	require.Error(t, err)
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.EInsufficientQuota, re.Code, "a 429 of its own, apart from a deployment's capacity")
	assert.True(t, re.Final, "asking again before the period ends cannot help")
	assert.Equal(t, "This API key has spent $1.05 of its budget of $1.00 a month; it starts again at 2026-12-01 00:00 UTC."+
		" Ask the gateway's operator to raise it (modelrouter keys budget).", re.Message)
	assert.Equal(t, 1, src.spendReads, "the log is read once a period; this process's spend is counted")

	// Another key, and calls without one, are not held back.
	assert.NoError(t, tr.Admit(ctx, "key_b"))
	assert.NoError(t, tr.Admit(ctx, ""))

	// A new month: spend starts again.
	c.t = c.t.Add(2 * time.Hour)
	assert.NoError(t, tr.Admit(ctx, "key_a"))
}

func TestTrackerReadsABudgetAgainAfterTheRefresh(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 0.5, Period: store.PeriodDay}},
		logged: map[string][]spend{"key_a": {{c.t.Add(-time.Minute), 0.5}}}}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	require.Error(t, tr.Admit(ctx, "key_a"))

	src.setBudget("key_a", store.Budget{USD: 2, Period: store.PeriodDay})
	c.t = c.t.Add(budget.DefaultRefresh / 2)
	require.Error(t, tr.Admit(ctx, "key_a"), "not read again yet")
	c.t = c.t.Add(budget.DefaultRefresh)
	require.NoError(t, tr.Admit(ctx, "key_a"), "raised")
	assert.Equal(t, 1, src.spendReads, "the same period: the log is not read again")

	// Moved to a total budget: the log is read from the first call.
	src.mu.Lock()
	src.budgets["key_a"] = store.Budget{USD: 2, Period: store.PeriodTotal}
	src.logged["key_a"] = append(src.logged["key_a"], spend{c.t.AddDate(-1, 0, 0), 1.6})
	src.mu.Unlock()
	c.t = c.t.Add(budget.DefaultRefresh)
	require.Error(t, tr.Admit(ctx, "key_a"), "$2.10 in total")
	assert.Equal(t, 2, src.spendReads)

	// The cap removed: everything passes, and the log is not read.
	src.setBudget("key_a", store.Budget{})
	c.t = c.t.Add(budget.DefaultRefresh)
	require.NoError(t, tr.Admit(ctx, "key_a"))
	assert.Equal(t, 2, src.spendReads)
}

// A budget set on a key already in use counts what its calls spent in this
// process before, whether or not the log has written their rows yet: the
// log is only read for calls that began before the process.
func TestTrackerCountsSpendBeforeTheKeyHadABudget(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{}, logged: map[string][]spend{}}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	c.t = c.t.Add(time.Minute)
	require.NoError(t, tr.Admit(ctx, "key_a"), "no budget yet")
	tr.Spend("key_a", 2, c.t) // the log has not written this row yet

	src.setBudget("key_a", store.Budget{USD: 1, Period: store.PeriodDay})
	c.t = c.t.Add(budget.DefaultRefresh)
	require.Error(t, tr.Admit(ctx, "key_a"), "$2 of $1")

	// Had the log written it, it would still count once: the log is read
	// only up to when the process started.
	src.mu.Lock()
	src.logged["key_a"] = []spend{{c.t.Add(-budget.DefaultRefresh), 2}}
	src.mu.Unlock()
	src.setBudget("key_a", store.Budget{USD: 3, Period: store.PeriodMonth})
	c.t = c.t.Add(budget.DefaultRefresh)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$2 of $3, not $4")
}

// A call counts for the day it began, as the decision log dates it: one that
// began before midnight and finished after spends yesterday's budget.
func TestTrackerChargesACallToTheDayItBegan(t *testing.T) {
	c := &clock{time.Date(2026, 11, 26, 23, 59, 50, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodDay}}, logged: map[string][]spend{}}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	began := c.t.Add(time.Second)
	require.NoError(t, tr.Admit(ctx, "key_a"))
	c.t = c.t.Add(time.Minute) // the next day
	tr.Spend("key_a", 1.5, began)
	assert.NoError(t, tr.Admit(ctx, "key_a"), "today has spent nothing")
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
	c := &clock{time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 100, Period: store.PeriodDay}}}
	tr := budget.New(src, c.now)
	ctx := context.Background()
	require.NoError(t, tr.Admit(ctx, "key_a"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				tr.Spend("key_a", 0.0124, c.t)
			}
		})
	}
	wg.Wait()
	require.NoError(t, tr.Admit(ctx, "key_a"), "$99.20 of $100")
	tr.Spend("key_a", 0.79, c.t)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$99.99: every one of the 8,000 was counted")
	tr.Spend("key_a", 0.02, c.t)
	require.Error(t, tr.Admit(ctx, "key_a"))
}
