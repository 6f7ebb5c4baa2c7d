// Package budget caps what each client key may spend: calls with a key
// whose budget is spent are refused until its period ends.
package budget

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// DefaultRefresh is how often a key's budget is read again, so a change
// made with `modelrouter keys budget` applies without a restart.
const DefaultRefresh = 30 * time.Second

// Source is where budgets and past spend come from (the store).
type Source interface {
	// KeyBudget returns the key's budget (USD 0: none).
	KeyBudget(ctx context.Context, keyID string) (store.Budget, error)
	// KeySpend adds up the logged cost of the key's calls that began in
	// [since, until), the calls whose rows were pruned from the log
	// included (since is a period's start, until the Tracker's Started).
	KeySpend(ctx context.Context, keyID string, since, until time.Time) (float64, error)
}

// Tracker knows each key's budget and what it spent this period. Spend by
// calls that began before the Tracker was made is read from the decision
// log, once per period; this process's own calls are counted as they
// finish, every key's whether it has a budget or not, by the time each
// began (as the log dates them). So nothing is counted twice or lost to a
// row the log has not written yet, a budget set on a busy key counts the
// calls already under way, and a call that began before midnight counts
// for the day it began. Calls under way when the budget runs out still
// finish, so a key can overspend by what those cost. It is safe for
// concurrent use.
type Tracker struct {
	// Refresh is how often a key's budget is read again (DefaultRefresh).
	Refresh time.Duration

	src     Source
	now     func() time.Time
	started time.Time // calls that began before are the log's to count

	mu   sync.Mutex
	keys map[string]*account
}

type account struct {
	budget store.Budget
	read   time.Time // when budget was read (zero: never)
	// logged is the log's spend from a period's start to started, by
	// the period's start (the zero time for a total budget): it cannot
	// change, so it is read once.
	logged map[time.Time]float64
	// days is this process's spend by the UTC day its calls began, this
	// month's and last month's; earlier is the sum of its calls that
	// began before (only a total budget reads it).
	days    map[time.Time]float64
	earlier float64
	// forgotTo is the cut forget last used.
	forgotTo time.Time
}

// New returns a Tracker reading from src; now may be nil (time.Now).
func New(src Source, now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{Refresh: DefaultRefresh, src: src, now: now, started: now(), keys: make(map[string]*account)}
}

// Admit returns an error (ERateLimited, reason insufficient_quota) when
// keyID has spent its budget for the period. Calls without a key pass.
func (t *Tracker) Admit(ctx context.Context, keyID string) error {
	if keyID == "" {
		return nil
	}
	now := t.now()
	b, err := t.budget(ctx, keyID, now)
	if err != nil || !b.Capped() {
		return err
	}
	spent, err := t.spent(ctx, keyID, b.Start(now))
	if err != nil {
		return err
	}
	if spent < b.USD {
		return nil
	}
	msg := fmt.Sprintf("This API key has spent %s of its budget of %s", store.FormatUSD(spent), b)
	if end := b.End(now); !end.IsZero() {
		msg += fmt.Sprintf("; it starts again at %s", end.Format("2006-01-02 15:04 UTC"))
	}
	// Final: the same refusal comes until the period starts again (days
	// away) or the operator raises the budget, so clients must not retry.
	return &router.Error{Code: router.ERateLimited, Reason: "insufficient_quota", Final: true,
		Message: msg + ". Ask the gateway's operator to raise it (modelrouter keys budget)."}
}

// budget returns keyID's budget, read again when older than the refresh.
func (t *Tracker) budget(ctx context.Context, keyID string, now time.Time) (store.Budget, error) {
	t.mu.Lock()
	a := t.account(keyID)
	if !a.read.IsZero() && now.Sub(a.read) < t.Refresh {
		b := a.budget
		t.mu.Unlock()
		return b, nil
	}
	t.mu.Unlock()

	b, err := t.src.KeyBudget(ctx, keyID)
	if err != nil {
		return store.Budget{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a = t.account(keyID)
	a.budget, a.read = b, now
	return b, nil
}

// spent returns what keyID's calls that began since from spent: the log's
// part (read the first time this period is asked for) and this process's.
func (t *Tracker) spent(ctx context.Context, keyID string, from time.Time) (float64, error) {
	t.mu.Lock()
	a := t.account(keyID)
	logged, ok := a.logged[from]
	t.mu.Unlock()
	if !ok {
		var err error
		if logged, err = t.src.KeySpend(ctx, keyID, from, t.started); err != nil {
			return 0, err
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a = t.account(keyID)
	if a.logged == nil {
		a.logged = make(map[time.Time]float64)
	}
	a.logged[from] = logged
	a.forget(t.now())
	total := logged
	if from.IsZero() {
		total += a.earlier
	}
	for day, usd := range a.days {
		if !day.Before(from) {
			total += usd
		}
	}
	return total, nil
}

// forget folds the days before last month into earlier and drops the
// log's part of periods before it, so an account stays small however long
// the gateway runs (last month is kept for a clock that steps back across
// the month's start); t.mu is held.
func (a *account) forget(now time.Time) {
	cut := store.Budget{Period: store.PeriodMonth}.Start(now).AddDate(0, -1, 0)
	if a.forgotTo.Equal(cut) {
		return
	}
	a.forgotTo = cut
	for day, usd := range a.days {
		if day.Before(cut) {
			a.earlier += usd
			delete(a.days, day)
		}
	}
	for from := range a.logged {
		if !from.IsZero() && from.Before(cut) {
			delete(a.logged, from)
		}
	}
}

// account returns keyID's account, made on first use; t.mu is held.
func (t *Tracker) account(keyID string) *account {
	a := t.keys[keyID]
	if a == nil {
		a = &account{days: make(map[time.Time]float64)}
		t.keys[keyID] = a
	}
	return a
}

// Started is when the Tracker began counting calls itself: calls that
// began before are the log's to count. Recorded in the store
// (store.AddBudgetStart), it is where every prune of the log splits the
// spend of the rows it deletes, so the log's part stays exact once rows
// after it are gone, whichever gateway pruned them.
func (t *Tracker) Started() time.Time { return t.started }

// Spend counts the cost of a finished call with keyID that began at began.
func (t *Tracker) Spend(keyID string, usd float64, began time.Time) {
	if keyID == "" || !(usd > 0) {
		return
	}
	began = began.UTC()
	day := time.Date(began.Year(), began.Month(), began.Day(), 0, 0, 0, 0, time.UTC)
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.account(keyID)
	a.forget(t.now()) // keys without a budget are never asked what they spent
	if day.Before(a.forgotTo) {
		a.earlier += usd // only a total budget still counts it
		return
	}
	a.days[day] += usd
}
