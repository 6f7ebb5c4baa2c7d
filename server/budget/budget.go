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
	// KeySpend adds up the key's logged spend since since.
	KeySpend(ctx context.Context, keyID string, since time.Time) (float64, error)
}

// Tracker knows each key's budget and what it spent this period: read
// from the decision log when the key's budget is first checked (or its
// period starts again), then counted as calls finish. Calls already under
// way when the budget runs out still finish, so a key can overspend by
// what those cost. It is safe for concurrent use.
type Tracker struct {
	// Refresh is how often a key's budget is read again (DefaultRefresh).
	Refresh time.Duration

	src Source
	now func() time.Time

	mu   sync.Mutex
	keys map[string]*account
}

type account struct {
	budget store.Budget
	read   time.Time // when budget was read
	// from is the start of the period spent counts; counting is false
	// until spent has been read from the log for it.
	from     time.Time
	counting bool
	spent    float64
}

// New returns a Tracker reading from src; now may be nil (time.Now).
func New(src Source, now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	return &Tracker{Refresh: DefaultRefresh, src: src, now: now, keys: make(map[string]*account)}
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
	return &router.Error{Code: router.ERateLimited, Reason: "insufficient_quota",
		Message: msg + ". Ask the gateway's operator to raise it (modelrouter keys budget)."}
}

// budget returns keyID's budget, read again when older than the refresh.
func (t *Tracker) budget(ctx context.Context, keyID string, now time.Time) (store.Budget, error) {
	t.mu.Lock()
	a := t.keys[keyID]
	if a != nil && now.Sub(a.read) < t.Refresh {
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
	if a.budget.Period != b.Period {
		a.counting = false // another period: count from its start
	}
	a.budget, a.read = b, now
	return b, nil
}

// spent returns what keyID spent since from, reading the log the first
// time (and when a new period starts).
func (t *Tracker) spent(ctx context.Context, keyID string, from time.Time) (float64, error) {
	t.mu.Lock()
	a := t.account(keyID)
	if a.counting && a.from.Equal(from) {
		s := a.spent
		t.mu.Unlock()
		return s, nil
	}
	t.mu.Unlock()

	logged, err := t.src.KeySpend(ctx, keyID, from)
	if err != nil {
		return 0, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a = t.account(keyID)
	if !a.counting || !a.from.Equal(from) {
		a.from, a.counting, a.spent = from, true, logged
	}
	return a.spent, nil
}

// account returns keyID's account, made on first use; t.mu is held.
func (t *Tracker) account(keyID string) *account {
	a := t.keys[keyID]
	if a == nil {
		a = &account{}
		t.keys[keyID] = a
	}
	return a
}

// Spend counts a finished call's cost against keyID.
func (t *Tracker) Spend(keyID string, usd float64) {
	if keyID == "" || !(usd > 0) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if a := t.keys[keyID]; a != nil && a.counting {
		a.spent += usd
	}
}
