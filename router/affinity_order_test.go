package router

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Decide writes a session's pin with the time the decision started, so
// two decisions running at once can write out of time order. The table
// stays in expiry order (the later write expires no sooner than the
// front), so "drop expired entries from the back" still finds every
// expired entry: none is held while a live one is evicted.
func TestAffinityWritesOutOfTimeOrderKeepExpiryOrder(t *testing.T) {
	const ttl = 10 * time.Second
	a := newAffinity(ttl, 2)
	t0 := time.Unix(1000, 0)

	a.put("late", "m-late", t0.Add(time.Second)) // started second, wrote first
	a.put("early", "m-early", t0)                // started first, wrote second
	a.check(t)

	// Both were written within the prediction's skew: both live until
	// t0+11s, and the one written first is the least recently used.
	now := t0.Add(10*time.Second + 500*time.Millisecond)
	_, ok := a.get("early", now)
	assert.True(t, ok)
	a.put("new", "m-new", now)
	a.check(t)
	_, ok = a.get("late", now)
	assert.False(t, ok, "the least recently written goes first")

	// Past every expiry, a new session finds the table's expired entries
	// gone and its own place free.
	later := t0.Add(time.Minute)
	a.put("newer", "m", later)
	a.check(t)
	assert.Equal(t, []string{"newer"}, keys(a))
}

func keys(a *affinity) []string {
	var out []string
	for k := range a.index {
		out = append(out, k)
	}
	return out
}
