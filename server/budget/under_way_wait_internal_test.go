package budget

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// waiting reports whether a check of keyID waits for a hold to go.
func (t *Tracker) waiting(keyID string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.account(keyID).released != nil
}

// A call that the key's calls under way alone refuse waits for room, and
// room also comes from a finished call's booked cost, lower than the
// estimate it was counted at (Correct): the call waiting is let in then,
// not refused when its wait is up for a hold that never went.
func TestACallWaitingForRoomIsLetInWhenABookedCostMakesIt(t *testing.T) {
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	tr := New(fixedSource{store.Budget{USD: 1, Period: store.PeriodMonth}}, func() time.Time { return now })
	tr.UnderWayWait = time.Hour // only room lets it in
	ctx := context.Background()

	tr.Spend("key_a", 0.7, now) // a background call, at the gateway's estimate
	spend, err := tr.Hold(ctx, "key_a", 0.3, now)
	require.NoError(t, err, "$0.70 spent of $1")
	defer spend(0)

	admitted := make(chan error, 1)
	go func() { admitted <- tr.Admit(ctx, "key_a") }()
	require.Eventually(t, func() bool { return tr.waiting("key_a") }, 10*time.Second, time.Millisecond,
		"$0.70 spent and $0.30 under way: the call waits")
	tr.Correct("key_a", -0.5, now) // its job cost $0.20

	select {
	case err := <-admitted:
		assert.NoError(t, err, "$0.20 spent and $0.30 under way of $1")
	case <-time.After(30 * time.Second): // a guard against hanging, not a measure
		t.Fatal("the call still waits for a hold to go, with room for it")
	}
}

// rebookedSource is a log of one key's spend, which a booking changes.
type rebookedSource struct {
	b     store.Budget
	mu    sync.Mutex
	spent float64
}

func (s *rebookedSource) KeyBudget(context.Context, string) (store.Budget, error) { return s.b, nil }

func (s *rebookedSource) KeySpend(context.Context, string, time.Time, time.Time) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.spent, nil
}

func (s *rebookedSource) rebook(usd float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spent = usd
}

// The same when the booked cost is of a call the log counts, one begun
// before the gateway restarted (a background job whose bill came after):
// the waiting call reads the log's part again and is let in.
func TestACallWaitingForRoomIsLetInWhenABookedCostFromBeforeARestartMakesIt(t *testing.T) {
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	beforeRestart := now.Add(-time.Hour)
	src := &rebookedSource{b: store.Budget{USD: 1, Period: store.PeriodMonth}, spent: 0.7} // at the estimate
	tr := New(src, func() time.Time { return now })
	tr.UnderWayWait = time.Hour // only room lets it in
	ctx := context.Background()

	spend, err := tr.Hold(ctx, "key_a", 0.3, now)
	require.NoError(t, err, "$0.70 spent of $1")
	defer spend(0)

	admitted := make(chan error, 1)
	go func() { admitted <- tr.Admit(ctx, "key_a") }()
	require.Eventually(t, func() bool { return tr.waiting("key_a") }, 10*time.Second, time.Millisecond,
		"$0.70 spent and $0.30 under way: the call waits")
	src.rebook(0.2) // its job cost $0.20, booked in its row first
	tr.Correct("key_a", -0.5, beforeRestart)

	select {
	case err := <-admitted:
		assert.NoError(t, err, "$0.20 spent and $0.30 under way of $1")
	case <-time.After(30 * time.Second): // a guard against hanging, not a measure
		t.Fatal("the call still waits for a hold to go, with room for it")
	}
}

// The same when the booked cost from before the restart lands just before
// the check takes the lock, after the log's part was last read: the check
// reads it again and lets the call in at once, not refused (or kept waiting
// for UnderWayWait) for the estimate the booking replaced.
func TestABookedCostFromBeforeARestartLandingJustBeforeTheCheckIsSeen(t *testing.T) {
	now := time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)
	beforeRestart := now.Add(-time.Hour)
	src := &rebookedSource{b: store.Budget{USD: 1, Period: store.PeriodMonth}, spent: 0.7} // at the estimate
	tr := New(src, func() time.Time { return now })
	tr.UnderWayWait = 0 // no wait: the first check decides
	ctx := context.Background()

	spend, err := tr.Hold(ctx, "key_a", 0.3, now)
	require.NoError(t, err, "$0.70 spent of $1")
	defer spend(0)

	booked := false
	tr.beforeCheck = func() {
		if !booked {
			booked = true
			src.rebook(0.2) // its job cost $0.20, booked in its row first
			tr.Correct("key_a", -0.5, beforeRestart)
		}
	}
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.20 spent and $0.30 under way of $1")
	assert.True(t, booked, "the booking landed before the check")
}
