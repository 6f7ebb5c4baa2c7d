package upstream

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Health defaults.
const (
	DefaultHealthThreshold   = 3
	DefaultHealthCooldown    = 30 * time.Second
	DefaultHealthMaxCooldown = 5 * time.Minute
)

// Health remembers which models keep failing, so routing can try them
// last until they recover (a circuit breaker). Without it, while a
// provider is down every call first waits for that provider's failure (up
// to the attempt timeout when it stalls) before failing over.
//
// A model is unhealthy after Threshold failures in a row (connection
// errors, no headers in time, 429 and 5xx, a stream that breaks before its
// first event), for Cooldown; then one call may try it again: a success
// makes it healthy, a failure makes it unhealthy again for twice as long,
// up to MaxCooldown. It is safe for concurrent use; the zero value uses
// the defaults.
type Health struct {
	Threshold   int
	Cooldown    time.Duration
	MaxCooldown time.Duration
	// Now defaults to time.Now; Logger, when set, hears when a model turns
	// unhealthy and when it recovers.
	Now    func() time.Time
	Logger *slog.Logger

	mu     sync.Mutex
	models map[string]*modelHealth
}

type modelHealth struct {
	fails     int       // failures in a row
	until     time.Time // unhealthy until then (zero: healthy)
	cooldown  time.Duration
	lastError string
}

func (h *Health) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Unhealthy says why m should be tried last ("" when it is healthy): the
// router's Config.Unhealthy.
func (h *Health) Unhealthy(m router.Model) string {
	if h == nil {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.models[m.ID]
	if s == nil || s.until.IsZero() {
		return ""
	}
	left := s.until.Sub(h.now())
	if left <= 0 {
		return "" // cooled down: the next call may try it
	}
	return fmt.Sprintf("unhealthy: %d failures in a row, the last %s; tried last for %s more",
		s.fails, s.lastError, left.Round(time.Second))
}

// failed notes a failure of m's provider.
func (h *Health) failed(m router.Model, why string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.models == nil {
		h.models = make(map[string]*modelHealth)
	}
	s := h.models[m.ID]
	if s == nil {
		s = &modelHealth{}
		h.models[m.ID] = s
	}
	s.fails++
	s.lastError = why
	threshold := h.Threshold
	if threshold <= 0 {
		threshold = DefaultHealthThreshold
	}
	if s.fails < threshold {
		return
	}
	now := h.now()
	if !s.until.IsZero() && now.Before(s.until) {
		return // already unhealthy: calls that began before it turned
	}
	switch {
	case s.cooldown == 0:
		s.cooldown = h.Cooldown
		if s.cooldown <= 0 {
			s.cooldown = DefaultHealthCooldown
		}
	default: // it failed again after cooling down
		maxCooldown := h.MaxCooldown
		if maxCooldown <= 0 {
			maxCooldown = DefaultHealthMaxCooldown
		}
		s.cooldown = min(2*s.cooldown, maxCooldown)
	}
	s.until = now.Add(s.cooldown)
	if h.Logger != nil {
		h.Logger.Warn("model unhealthy: routing tries it last", "model", m.ID,
			"failures_in_a_row", s.fails, "last_error", why, "for", s.cooldown)
	}
}

// succeeded notes that m's provider answered (an answer, or a client error:
// it is up).
func (h *Health) succeeded(m router.Model) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.models[m.ID]
	if s == nil {
		return
	}
	if !s.until.IsZero() && h.Logger != nil {
		h.Logger.Info("model healthy again", "model", m.ID)
	}
	delete(h.models, m.ID)
}

// UnhealthyModels lists the ids of the models now tried last, sorted.
func (h *Health) UnhealthyModels() []string {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	var ids []string
	for id, s := range h.models {
		if !s.until.IsZero() && now.Before(s.until) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
