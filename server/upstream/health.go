package upstream

import (
	"cmp"
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
	// healthWindow and healthRecent: a model trips only when at least half
	// of its calls in the last minute (of the last 20) failed, so a busy
	// model's scattered errors, or one client's retries of a request the
	// provider fails, do not add up to "failures in a row".
	healthWindow = time.Minute
	healthRecent = 20
	// probeTimeout frees a probe that has not reported: a lost one must
	// not block probing forever. A probe that is a long answer (a stream
	// has no overall deadline) may outlast it; another call may then try
	// the model too.
	probeTimeout = 3 * time.Minute
)

// Health remembers which models keep failing, so routing can try them
// last until they recover (a circuit breaker). Without it, while a
// provider is down every call first waits for that provider's failure (up
// to the attempt timeout when it stalls) before failing over.
//
// A model is unhealthy after Threshold failures in a row (connection
// errors, no headers, first event or answer begun in time, 408, 429 and 5xx, a
// provider refusing the gateway on a new answer (a 401, or a 403 or 404
// about its key or the model: see attempt.refusesGateway), a
// stream that breaks before its first event) when at least half its calls
// of the last minute failed. It is then tried last for Cooldown; after
// that, one call at a time may try it again (others still try it last): an
// answer makes it healthy, a failure makes it unhealthy again for twice as
// long, up to MaxCooldown.
// Outcomes of calls that began before it turned unhealthy do not count.
// It is safe for concurrent use; the zero value uses the defaults.
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
	fails     int // failures in a row
	lastError string
	// lastDetail is lastError as the operator reads it in the server log
	// (a network error's addresses, which lastError, shown to clients
	// among a candidate's reasons, leaves out); "" when the same.
	lastDetail string
	recent     []outcome // the last healthRecent outcomes, oldest first
	// tripped is when it last turned unhealthy (zero: healthy); it is tried
	// last until until, then probed one call at a time.
	tripped, until time.Time
	cooldown       time.Duration
	probing        bool
	probeAt        time.Time
	// gen numbers the probes, so a late outcome of an earlier probe is not
	// taken for the current one's.
	gen int
}

type outcome struct {
	at     time.Time
	failed bool
}

// ticket is an attempt's pass: when it began by the Health's clock, and
// whether it is the one call trying an unhealthy model again (which one).
type ticket struct {
	began time.Time
	probe bool
	gen   int
}

func (h *Health) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Health) threshold() int {
	if h.Threshold > 0 {
		return h.Threshold
	}
	return DefaultHealthThreshold
}

// Unhealthy says why m should be tried last ("" when it is healthy, or
// cooled down and free to be tried again): the router's Config.Unhealthy.
func (h *Health) Unhealthy(m router.Model) string {
	if h == nil {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.models[m.ID]
	if s == nil {
		return ""
	}
	now := h.now()
	switch {
	case s.cooling(now):
		return fmt.Sprintf("unhealthy: %d failures in a row, the last %s; tried last for %s more",
			s.fails, s.lastError, s.until.Sub(now).Round(time.Second))
	case s.probed(now):
		return fmt.Sprintf("unhealthy: %d failures in a row, the last %s; another call is trying it again", s.fails, s.lastError)
	}
	return ""
}

// cooling: unhealthy, and not yet to be tried again.
func (s *modelHealth) cooling(now time.Time) bool {
	return !s.tripped.IsZero() && now.Before(s.until)
}

// probed: cooled down, and one call is trying it again.
func (s *modelHealth) probed(now time.Time) bool {
	return !s.tripped.IsZero() && s.probing && now.Sub(s.probeAt) < probeTimeout
}

// admit lets an attempt at m go out: always, unless m is cooled down and
// another call is already trying it again; then the attempt is skipped and
// the call goes on to its next model at once, unless must (m is the call's
// last hope: its last model, or the only provider that has what it asks
// for).
func (h *Health) admit(m router.Model, must bool) (ticket, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	s := h.models[m.ID]
	switch {
	case s == nil || s.tripped.IsZero() || s.cooling(now):
		// Healthy, or unhealthy and tried anyway as the last resort.
		return ticket{began: now}, true
	case s.probed(now):
		return ticket{began: now}, must
	}
	s.gen++
	s.probing, s.probeAt = true, now
	return ticket{began: now, probe: true, gen: s.gen}, true
}

// isProbe reports whether t is the probe now in flight.
func (s *modelHealth) isProbe(t ticket) bool {
	return t.probe && s.probing && t.gen == s.gen
}

// state returns m's record, made on first use; h.mu is held.
func (h *Health) state(m router.Model) *modelHealth {
	if h.models == nil {
		h.models = make(map[string]*modelHealth)
	}
	s := h.models[m.ID]
	if s == nil {
		s = &modelHealth{}
		h.models[m.ID] = s
	}
	return s
}

// stale reports whether an outcome belongs to a call that began before m
// last turned unhealthy: it says nothing about the provider since.
func (s *modelHealth) stale(t ticket) bool {
	return !s.tripped.IsZero() && t.began.Before(s.tripped)
}

func (s *modelHealth) note(now time.Time, failed bool) {
	if len(s.recent) == healthRecent {
		s.recent = slices.Delete(s.recent, 0, 1)
	}
	s.recent = append(s.recent, outcome{at: now, failed: failed})
}

// mostlyFailing reports whether at least half of the outcomes of the last
// healthWindow failed.
func (s *modelHealth) mostlyFailing(now time.Time) bool {
	n, failed := 0, 0
	for _, o := range s.recent {
		if now.Sub(o.at) <= healthWindow {
			n++
			if o.failed {
				failed++
			}
		}
	}
	return n > 0 && 2*failed >= n
}

// failed notes a failure of m's provider: why as clients may read it,
// detail (or "") as the operator's log shows it.
func (h *Health) failed(m router.Model, t ticket, why, detail string) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.state(m)
	if s.stale(t) {
		return
	}
	now := h.now()
	s.fails++
	s.lastError, s.lastDetail = why, detail
	s.note(now, true)
	switch {
	case s.isProbe(t):
		// Tried again and still failing: out for twice as long.
		s.probing = false
		maxCooldown := h.MaxCooldown
		if maxCooldown <= 0 {
			maxCooldown = DefaultHealthMaxCooldown
		}
		s.cooldown = min(2*max(s.cooldown, h.baseCooldown()), max(maxCooldown, h.baseCooldown()))
		s.tripped, s.until = now, now.Add(s.cooldown)
		h.log("model still unhealthy: routing tries it last", m, s)
	case s.tripped.IsZero() && s.fails >= h.threshold() && s.mostlyFailing(now):
		s.cooldown = h.baseCooldown()
		s.tripped, s.until = now, now.Add(s.cooldown)
		h.log("model unhealthy: routing tries it last", m, s)
	}
}

func (h *Health) baseCooldown() time.Duration {
	if h.Cooldown > 0 {
		return h.Cooldown
	}
	return DefaultHealthCooldown
}

// succeeded notes that m's provider answered: with an answer (answered),
// which makes it healthy, or with a client error (a bad request), which
// shows it is up but proves nothing about the call that failed before: it
// breaks a run of failures, but does not end an unhealthy spell. A refusal
// of the gateway itself (its key, its account's models) is a failure
// instead: every call routed to the model would meet it.
func (h *Health) succeeded(m router.Model, t ticket, answered bool) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.state(m) // successes count too: they make errors scattered
	if s.stale(t) {
		return
	}
	s.note(h.now(), false)
	switch {
	case answered:
		if !s.tripped.IsZero() && h.Logger != nil {
			h.Logger.Info("model healthy again", "model", m.ID)
		}
		s.fails, s.tripped, s.until, s.cooldown, s.probing = 0, time.Time{}, time.Time{}, 0, false
	case s.isProbe(t):
		s.probing = false // inconclusive: the next call may try again
	case s.tripped.IsZero():
		s.fails = 0
	}
}

// release ends a probe that reported nothing (the call's own deadline, or
// a client that left).
func (h *Health) release(m router.Model, t ticket) {
	if h == nil || !t.probe {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if s := h.models[m.ID]; s != nil && s.isProbe(t) {
		s.probing = false
	}
}

func (h *Health) log(msg string, m router.Model, s *modelHealth) {
	if h.Logger != nil {
		h.Logger.Warn(msg, "model", m.ID, "failures_in_a_row", s.fails, "last_error", cmp.Or(s.lastDetail, s.lastError), "for", s.cooldown)
	}
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
		if s.cooling(now) || s.probed(now) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
