// Package budget caps what each client key may spend: calls with a key
// whose budget is spent are refused until its period ends.
package budget

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// DefaultRefresh is how often a key's budget is read again, so a change
// made with `modelrouter keys budget` applies without a restart.
const DefaultRefresh = 30 * time.Second

// DefaultUnderWayWait is how long a call that its key's calls under way
// alone would refuse waits for one of them to finish (Tracker.UnderWayWait).
const DefaultUnderWayWait = time.Second

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
// calls already under way, and a call that began before midnight is
// checked against, and counts for, the day it began, however late after
// it the check comes. A call under way holds what it is expected to cost
// until it finishes (Hold), so calls sent at once cannot all pass a check
// that none of them has spent anything yet; each one let in still
// finishes, so a key can overspend by about one call. A key without a
// budget holds its calls too, so a budget set while they run counts them.
// It is safe for concurrent use.
type Tracker struct {
	// Refresh is how often a key's budget is read again (DefaultRefresh).
	Refresh time.Duration
	// UnderWayWait is how long a call that only the key's calls under
	// way would refuse waits for one of them to let its hold go, checked
	// again each time one does (DefaultUnderWayWait; 0: not at all).
	UnderWayWait time.Duration

	src     Source
	now     func() time.Time
	started time.Time // calls that began before are the log's to count

	mu   sync.Mutex
	keys map[string]*account

	// beforeCheck, when set (by tests), runs as Hold is about to take mu
	// for its checks of a capped key: a booked cost landing there must be
	// seen by them.
	beforeCheck func()
}

type account struct {
	budget store.Budget
	read   time.Time // when budget was read (zero: never)
	// budgetReads counts the reads of budget begun, and budgetKept is
	// the number of the one budget is from, so a read that ends after
	// one begun later does not put back the older budget it has.
	budgetReads, budgetKept int
	// logged is the log's spend from a period's start to started, by
	// the period's start (the zero time for a total budget): read once,
	// and again only when a booked cost changes it (Correct).
	logged map[time.Time]float64
	// rebooked counts those changes, so a read under way while one came
	// is not kept.
	rebooked int
	// days is this process's spend by the UTC day its calls began, this
	// month's and last month's; earlier is the sum of its calls that
	// began before (only a total budget reads it).
	days    map[time.Time]float64
	earlier float64
	// held is what the calls under way are expected to cost, by the UTC
	// day they began; an entry goes once its last call has finished.
	held map[time.Time]*hold
	// released, when not nil, is closed the next time a hold goes or a
	// booked cost lowers the spend (wake), for the checks waiting on it
	// (awaitRelease).
	released chan struct{}
	// forgotTo is the cut forget last used.
	forgotTo time.Time
}

// hold is the expected cost of a day's calls under way, and their number.
type hold struct {
	usd   float64
	calls int
}

// New returns a Tracker reading from src; now may be nil (time.Now).
func New(src Source, now func() time.Time) *Tracker {
	if now == nil {
		now = time.Now
	}
	// started is cut to the millisecond, as the log dates calls (ts_ms) and
	// reads the log's part up to it (KeySpend): a booked cost comes with
	// the call's date from the log, so a call this process counted, begun
	// in the millisecond it started, would otherwise read as begun before
	// it and be left to a log that does not count it, its Correct lost.
	return &Tracker{Refresh: DefaultRefresh, UnderWayWait: DefaultUnderWayWait, src: src, now: now,
		started: now().Truncate(time.Millisecond), keys: make(map[string]*account)}
}

// Admit returns an error (EInsufficientQuota, a 429) when
// keyID has spent its budget for the period, the expected cost of its
// calls under way included. Calls without a key pass.
func (t *Tracker) Admit(ctx context.Context, keyID string) error {
	spend, err := t.Hold(ctx, keyID, 0, t.now())
	if spend != nil {
		spend(0)
	}
	return err
}

// Hold is Admit for a call that began at began and is expected to cost
// usd, checked against the period began falls in: let in, it holds usd of the key's budget until spend is called
// with what the call cost (0 when it cost nothing); only the first call
// of spend counts. Every call let in must end with spend, or its hold
// stays. Calls without a key pass and count nothing.
func (t *Tracker) Hold(ctx context.Context, keyID string, usd float64, began time.Time) (spend func(usd float64), err error) {
	if keyID == "" {
		return func(float64) {}, nil
	}
	now := t.now()
	b, err := t.budget(ctx, keyID, now)
	if err != nil {
		return nil, err
	}
	if !(usd > 0) || math.IsInf(usd, 0) {
		usd = 0
	}
	if !b.Capped() {
		// Nothing to check, but the call is held all the same, and what
		// it costs counts: a budget set while it runs counts it under
		// way, as it would had it been set before, and once it has
		// finished, as later calls this period do.
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.holdLocked(t.account(keyID), keyID, usd, began), nil
	}
	// Checked against the period it is charged to, the one it began in
	// (as the log dates it): one that began just before midnight and is
	// checked after spends the old day, whose spend the check must see.
	from, to := b.Start(began), b.End(began)

	if t.beforeCheck != nil {
		t.beforeCheck()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.account(keyID)
	var waited <-chan time.Time
	for {
		// The log's part is taken under the lock at each check, read
		// again when a booked cost of a call it counts (Correct) dropped
		// it, whenever that came: a figure kept from before the lock
		// could be the estimate the booking replaced.
		logged, err := t.loggedLocked(ctx, a, keyID, from)
		if err != nil {
			return nil, err
		}
		spent, held, calls := a.spentIn(from, to, logged, t.now())
		if spent+held < b.USD {
			return t.holdLocked(a, keyID, usd, began), nil
		}
		if !(spent < b.USD && calls > 0 && (to.IsZero() || now.Before(to))) || t.UnderWayWait <= 0 {
			return nil, refusal(b, now, to, spent, held, calls)
		}
		// Only the calls under way refuse it, and one of them may be
		// over already for its client. A call's hold goes when the
		// server finishes its record, once the answer is written: a
		// stream's last event, and the last bytes of a long whole
		// answer, reach the client before that, so a client that calls
		// again the instant it has its answer, one call after another,
		// could be refused for the call it has. What comes between is
		// brief bookkeeping, so the check waits for holds to go (for
		// UnderWayWait at most) and checks again as each one does.
		if waited == nil {
			timer := time.NewTimer(t.UnderWayWait)
			defer timer.Stop()
			waited = timer.C
		}
		if !t.awaitRelease(ctx, a, waited) {
			return nil, refusal(b, now, to, spent, held, calls)
		}
	}
}

// awaitRelease waits, t.mu let go meanwhile, until a hold on a goes or
// a booked cost lowers its spend (true), or ctx is done or waited fires
// (false); t.mu is held.
func (t *Tracker) awaitRelease(ctx context.Context, a *account, waited <-chan time.Time) bool {
	if a.released == nil {
		a.released = make(chan struct{})
	}
	released := a.released
	t.mu.Unlock()
	defer t.mu.Lock()
	select {
	case <-released:
		return true
	case <-ctx.Done():
		return false
	case <-waited:
		return false
	}
}

// holdLocked holds usd of keyID's budget (its account a) for a call that
// began at began, until the spend it returns is called; t.mu is held.
func (t *Tracker) holdLocked(a *account, keyID string, usd float64, began time.Time) func(float64) {
	day := utcDay(began)
	h := a.held[day]
	if h == nil {
		h = &hold{}
		a.held[day] = h
	}
	h.usd += usd
	h.calls++
	return t.spendOnce(keyID, began, &hold{usd: usd, calls: 1})
}

// refusal is the error of a key whose spend, with what its calls under way
// (calls of them) are expected to cost (held), has reached its budget b in
// the period the call began in, which ends at end (zero: never).
func refusal(b store.Budget, now, end time.Time, spent, held float64, calls int) error {
	msg := fmt.Sprintf("This API key has spent %s of its budget of %s", store.FormatUSD(spent), b)
	if !end.IsZero() && !now.Before(end) {
		// The call began just before its period ended: a retry begins
		// in the new one, so it is not final.
		return &router.Error{Code: router.EInsufficientQuota, Message: msg + fmt.Sprintf(
			" in the period this call began in; it started again at %s, so a retry counts against the new one.",
			end.Format("2006-01-02 15:04 UTC"))}
	}
	if spent < b.USD {
		// The calls under way may cost less than expected, or nothing:
		// once they finish a retry may be let in, so it is not final.
		under := fmt.Sprintf("its %d calls under way are expected to spend %s more; retry once they have finished", calls, store.FormatUSD(held))
		if calls == 1 {
			under = fmt.Sprintf("its 1 call under way is expected to spend %s more; retry once it has finished", store.FormatUSD(held))
		}
		return &router.Error{Code: router.EInsufficientQuota, Message: msg + ", and " + under + "."}
	}
	if !end.IsZero() {
		msg += fmt.Sprintf("; it starts again at %s", end.Format("2006-01-02 15:04 UTC"))
	}
	// Final: the same refusal comes until the period starts again (days
	// away) or the operator raises the budget, so clients must not retry.
	return &router.Error{Code: router.EInsufficientQuota, Final: true,
		Message: msg + ". Ask the gateway's operator to raise it (modelrouter keys budget)."}
}

// spendOnce returns the spend of a call with keyID that began at began and
// holds mine: its first call lets the hold go and counts the cost, in one
// step, so a check in between sees the one or the other.
func (t *Tracker) spendOnce(keyID string, began time.Time, mine *hold) func(float64) {
	var once sync.Once
	return func(usd float64) {
		once.Do(func() {
			t.mu.Lock()
			defer t.mu.Unlock()
			a := t.account(keyID)
			if h := a.held[utcDay(began)]; h != nil {
				h.usd -= mine.usd
				h.calls -= mine.calls
				if h.calls <= 0 {
					delete(a.held, utcDay(began))
				}
			}
			t.spendLocked(a, usd, began)
			a.wake()
		})
	}
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
	a.budgetReads++
	mine := a.budgetReads
	t.mu.Unlock()

	b, err := t.src.KeyBudget(ctx, keyID)
	if err != nil {
		return store.Budget{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a = t.account(keyID)
	// Calls that find the budget due at once each read it, and their
	// reads may end in any order: one begun later, which may have seen
	// the operator's change that this one did not, has the last word.
	if mine > a.budgetKept {
		a.budget, a.read, a.budgetKept = b, now, mine
	}
	return a.budget, nil
}

// loggedLocked returns the log's part of keyID's spend (its account a)
// since from: read the first time this period is asked for, then kept. A
// read that a booked cost came during is read again: it may have found the
// row as it was. t.mu is held, let go while the log is read, and held
// again on return, so the figure returned is the one kept then.
func (t *Tracker) loggedLocked(ctx context.Context, a *account, keyID string, from time.Time) (float64, error) {
	for {
		if logged, ok := a.logged[from]; ok {
			return logged, nil
		}
		rebooked := a.rebooked
		t.mu.Unlock()
		logged, err := t.src.KeySpend(ctx, keyID, from, t.started)
		t.mu.Lock()
		if err != nil {
			return 0, err
		}
		if a.rebooked != rebooked {
			continue
		}
		if a.logged == nil {
			a.logged = make(map[time.Time]float64)
		}
		a.logged[from] = logged
		return logged, nil
	}
}

// spentIn returns what the account's calls that began in [from, to) (to
// zero: no end) spent, logged being the log's part, and what its calls
// under way that began then are expected to cost, and how many they are;
// t.mu is held.
func (a *account) spentIn(from, to time.Time, logged float64, now time.Time) (spent, held float64, calls int) {
	a.forget(now)
	spent = logged
	if from.IsZero() {
		spent += a.earlier
	}
	in := func(day time.Time) bool { return !day.Before(from) && (to.IsZero() || day.Before(to)) }
	for day, usd := range a.days {
		if in(day) {
			spent += usd
		}
	}
	for day, h := range a.held {
		if in(day) {
			held += h.usd
			calls += h.calls
		}
	}
	return spent, held, calls
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
		a = &account{days: make(map[time.Time]float64), held: make(map[time.Time]*hold)}
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
	t.mu.Lock()
	defer t.mu.Unlock()
	t.spendLocked(t.account(keyID), usd, began)
}

// Correct changes what a finished call with keyID that began at began is
// counted to have spent by usd, less when usd is negative: a background
// answer's call is charged the gateway's estimate when the provider takes
// its job, and its real cost is booked when a read finds the job over.
// A call that began before the Tracker did is the log's to count, and the
// log has its booked cost already (it is booked there first): the
// periods that count it read the log again, as a read of the log under
// way may have found the row before. Adding usd to what was read instead
// would count it twice where the read came after the booking.
func (t *Tracker) Correct(keyID string, usd float64, began time.Time) {
	if keyID == "" || usd == 0 || math.IsNaN(usd) || math.IsInf(usd, 0) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.account(keyID)
	if usd < 0 {
		// Room for the checks waiting for a hold to go (awaitRelease),
		// whichever part of the spend it lowers: one woken for the log's
		// part reads that again.
		defer a.wake()
	}
	if began.Before(t.started) {
		for from := range a.logged {
			if !began.Before(from) {
				delete(a.logged, from)
			}
		}
		a.rebooked++
		return
	}
	day := utcDay(began)
	a.forget(t.now())
	if day.Before(a.forgotTo) {
		a.earlier += usd
		return
	}
	a.days[day] += usd
}

// wake lets the checks waiting on a (awaitRelease) check again: a hold
// went, or a booked cost lowered the spend; t.mu is held.
func (a *account) wake() {
	if a.released != nil {
		close(a.released)
		a.released = nil
	}
}

// spendLocked counts usd on a, spent by a call that began at began; t.mu
// is held.
func (t *Tracker) spendLocked(a *account, usd float64, began time.Time) {
	if !(usd > 0) {
		return
	}
	day := utcDay(began)
	a.forget(t.now()) // keys without a budget are never asked what they spent
	if day.Before(a.forgotTo) {
		a.earlier += usd // only a total budget still counts it
		return
	}
	a.days[day] += usd
}

// utcDay is the UTC day t falls in, at its midnight.
func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
