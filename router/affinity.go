package router

import (
	"sync"
	"time"
)

// affinity remembers which model a conversation started on, so later turns
// stay there and keep the provider's prompt cache warm.
type affinity struct {
	mu      sync.Mutex
	ttl     time.Duration
	max     int
	entries map[string]affinityEntry
}

type affinityEntry struct {
	model   string
	expires time.Time
}

func newAffinity(ttl time.Duration, max int) *affinity {
	return &affinity{ttl: ttl, max: max, entries: make(map[string]affinityEntry)}
}

func (a *affinity) get(key string, now time.Time) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.entries[key]
	if !ok || now.After(e.expires) {
		return "", false
	}
	return e.model, true
}

func (a *affinity) put(key, model string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.entries) >= a.max {
		// Drop expired entries first; if the table is still full, forget
		// everything rather than grow without bound under a flood of keys.
		for k, e := range a.entries {
			if now.After(e.expires) {
				delete(a.entries, k)
			}
		}
		if len(a.entries) >= a.max {
			clear(a.entries)
		}
	}
	a.entries[key] = affinityEntry{model: model, expires: now.Add(a.ttl)}
}

func (a *affinity) forget(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.entries, key)
}
