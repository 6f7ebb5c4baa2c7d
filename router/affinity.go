package router

import (
	"sync"
	"time"
)

// affinity remembers which model a conversation started on, so later turns
// stay there and keep the provider's prompt cache warm.
//
// It holds at most max sessions. Entries sit in a list from the most
// recently written to the least; every write moves its entry to the front
// and sets its expiry to now+ttl, so the back of the list is both the
// least recently used entry and the first to expire. A write drops expired
// entries from the back and, when the table is still full, the least
// recently used one: a flood of new sessions pushes out idle sessions, one
// per new one, never a conversation that is still talking. Each call costs
// O(1) (amortized: an entry is dropped once), and memory stays at max
// entries.
type affinity struct {
	mu  sync.Mutex
	ttl time.Duration
	max int
	// index maps a session key to its slot.
	index map[string]int32
	// slots hold the entries; slots no entry uses are chained from free
	// through next.
	slots      []affinitySlot
	head, tail int32 // most and least recently written; none when -1
	free       int32
}

type affinitySlot struct {
	key        string
	model      string
	expires    time.Time
	prev, next int32 // towards head and towards tail; -1 at the ends
}

const noSlot = -1

func newAffinity(ttl time.Duration, max int) *affinity {
	return &affinity{ttl: ttl, max: max, index: make(map[string]int32), head: noSlot, tail: noSlot, free: noSlot}
}

func (a *affinity) get(key string, now time.Time) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	i, ok := a.index[key]
	if !ok || now.After(a.slots[i].expires) {
		return "", false
	}
	return a.slots[i].model, true
}

func (a *affinity) put(key, model string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	// Decisions write with the time they started, so two running at once
	// may write out of time order. The front's expiry is the latest; an
	// entry written after it expires no sooner (by at most a prediction's
	// time), which keeps the list in expiry order.
	expires := now.Add(a.ttl)
	if a.head != noSlot && expires.Before(a.slots[a.head].expires) {
		expires = a.slots[a.head].expires
	}
	if i, ok := a.index[key]; ok {
		s := &a.slots[i]
		s.model, s.expires = model, expires
		a.unlink(i)
		a.pushFront(i)
		return
	}
	for a.tail != noSlot && now.After(a.slots[a.tail].expires) {
		a.remove(a.tail)
	}
	if len(a.index) >= a.max && a.tail != noSlot {
		a.remove(a.tail)
	}
	i := a.free
	if i != noSlot {
		a.free = a.slots[i].next
	} else {
		i = int32(len(a.slots))
		a.slots = append(a.slots, affinitySlot{})
	}
	a.slots[i] = affinitySlot{key: key, model: model, expires: expires}
	a.index[key] = i
	a.pushFront(i)
}

func (a *affinity) forget(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if i, ok := a.index[key]; ok {
		a.remove(i)
	}
}

// remove drops slot i's entry and puts the slot on the free chain.
func (a *affinity) remove(i int32) {
	a.unlink(i)
	delete(a.index, a.slots[i].key)
	a.slots[i] = affinitySlot{next: a.free} // let go of the strings
	a.free = i
}

func (a *affinity) unlink(i int32) {
	s := &a.slots[i]
	if s.prev != noSlot {
		a.slots[s.prev].next = s.next
	} else {
		a.head = s.next
	}
	if s.next != noSlot {
		a.slots[s.next].prev = s.prev
	} else {
		a.tail = s.prev
	}
	s.prev, s.next = noSlot, noSlot
}

func (a *affinity) pushFront(i int32) {
	s := &a.slots[i]
	s.prev, s.next = noSlot, a.head
	if a.head != noSlot {
		a.slots[a.head].prev = i
	} else {
		a.tail = i
	}
	a.head = i
}
