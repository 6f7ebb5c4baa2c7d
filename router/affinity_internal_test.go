package router

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// check verifies the list and the index agree: every entry once, newest to
// oldest by expiry, and the table never above max.
func (a *affinity) check(t *testing.T) {
	t.Helper()
	seen := 0
	prev := int32(noSlot)
	for i := a.head; i != noSlot; i = a.slots[i].next {
		s := a.slots[i]
		require.Equal(t, prev, s.prev)
		require.Equal(t, i, a.index[s.key], s.key)
		if prev != noSlot {
			require.False(t, s.expires.After(a.slots[prev].expires), "older entry expires later")
		}
		prev = i
		seen++
	}
	require.Equal(t, prev, a.tail)
	require.Equal(t, len(a.index), seen)
	require.LessOrEqual(t, seen, a.max)
	require.LessOrEqual(t, len(a.slots), a.max)
}

// A full table drops its least recently written entry for a new session,
// not every entry.
func TestAffinityEvictsTheLeastRecentlyUsed(t *testing.T) {
	a := newAffinity(time.Hour, 3)
	now := time.Unix(1000, 0)
	tick := func() time.Time { now = now.Add(time.Second); return now }
	a.put("a", "m1", tick())
	a.put("b", "m2", tick())
	a.put("c", "m3", tick())
	a.put("a", "m1", tick()) // a talks again: b is now the oldest
	a.put("d", "m4", tick())
	a.check(t)
	_, ok := a.get("b", now)
	assert.False(t, ok, "the least recently used is dropped")
	for _, k := range []string{"a", "c", "d"} {
		_, ok := a.get(k, now)
		assert.True(t, ok, k)
	}

	// A forgotten entry's slot is reused; the table stays at max.
	a.forget("c")
	a.check(t)
	a.put("e", "m5", tick())
	a.put("f", "m6", tick())
	a.check(t)
	assert.Len(t, a.slots, 3)
	_, ok = a.get("a", now)
	assert.False(t, ok)
	m, ok := a.get("f", now)
	assert.True(t, ok)
	assert.Equal(t, "m6", m)
}

// Expired entries are dropped as new ones come, before any live one.
func TestAffinityDropsExpiredEntriesFirst(t *testing.T) {
	a := newAffinity(time.Minute, 4)
	now := time.Unix(1000, 0)
	a.put("old1", "m", now)
	a.put("old2", "m", now)
	now = now.Add(30 * time.Second)
	a.put("live", "m", now)
	now = now.Add(45 * time.Second) // old1 and old2 expired, live not
	a.put("new", "m", now)
	a.check(t)
	assert.Len(t, a.index, 2)
	_, ok := a.get("live", now)
	assert.True(t, ok)
	_, ok = a.get("old1", now)
	assert.False(t, ok)
}

// Many puts, forgets and rewrites keep the list, the index and the bound
// consistent.
func TestAffinityStaysConsistent(t *testing.T) {
	a := newAffinity(time.Hour, 50)
	now := time.Unix(1000, 0)
	for i := range 2000 {
		now = now.Add(time.Millisecond)
		k := strconv.Itoa(i * 7919 % 173)
		switch i % 5 {
		case 0:
			a.forget(k)
		default:
			a.put(k, "m"+k, now)
		}
		if i%97 == 0 {
			a.check(t)
		}
	}
	a.check(t)
}
