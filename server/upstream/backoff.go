package upstream

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// DefaultBackoffMax is the longest wait a provider's Retry-After can impose
// on a model: a provider that asks for a day (a spent daily quota) is still
// tried again every few minutes, one call at a time.
const DefaultBackoffMax = 5 * time.Minute

// Backoff remembers how long each model's provider asked the gateway to
// wait: the Retry-After (or retry-after-ms) of a 429 or 5xx. Until then
// routing tries the model last, and a call that reaches it with another
// model still to try skips it without a request: the provider said what
// the answer would be. A call with no other model left still tries it.
// An answer from the model, to a call sent after the wait was asked for,
// ends the wait early (a read of a stored answer by id does not: it says
// nothing about the limit on new answers).
//
// A throttled model is not an unhealthy one: a 429 that says how long to
// wait does not count towards [Health]'s failures in a row, since waiting
// is all it needs. It is safe for concurrent use; the zero value works.
type Backoff struct {
	// Max caps a wait (DefaultBackoffMax when zero); Now defaults to
	// time.Now; Logger, when set, hears when a model starts waiting.
	Max    time.Duration
	Now    func() time.Time
	Logger *slog.Logger

	mu    sync.Mutex
	until map[string]backoffUntil
}

type backoffUntil struct {
	// since is when the wait was asked for, until when it ends.
	since, until time.Time
	status       int // the status that asked for the wait
}

func (b *Backoff) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// hold makes m wait wait from now (capped at Max), unless it already waits
// longer.
func (b *Backoff) hold(m router.Model, status int, wait time.Duration) {
	if b == nil || wait <= 0 {
		return
	}
	maxWait := b.Max
	if maxWait <= 0 {
		maxWait = DefaultBackoffMax
	}
	wait = min(wait, maxWait)
	b.mu.Lock()
	defer b.mu.Unlock()
	until := b.now().Add(wait)
	if b.until == nil {
		b.until = make(map[string]backoffUntil)
	}
	if cur, ok := b.until[m.ID]; ok && !until.After(cur.until) {
		return
	}
	b.until[m.ID] = backoffUntil{since: b.now(), until: until, status: status}
	if b.Logger != nil {
		b.Logger.Info("model rate limited by its provider: routing tries it last", "model", m.ID, "status", status, "for", wait)
	}
}

// clear ends m's wait: it answered a call that began at began (by the
// Backoff's clock). An answer to a call sent before the wait was asked for
// says nothing about the limit since: rate limits are hit with many calls
// in flight, and the slow ones finish after the 429.
func (b *Backoff) clear(m router.Model, began time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.until[m.ID]; ok && began.After(u.since) {
		delete(b.until, m.ID)
	}
}

// clock is the Backoff's time now (zero for no Backoff), to date an
// attempt for clear.
func (b *Backoff) clock() time.Time {
	if b == nil {
		return time.Time{}
	}
	return b.now()
}

// Wait returns how much longer m's provider asked to wait (0: none).
func (b *Backoff) Wait(m router.Model) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.wait(m.ID, b.now())
}

// wait: b.mu is held; an ended wait is forgotten.
func (b *Backoff) wait(id string, now time.Time) time.Duration {
	u, ok := b.until[id]
	if !ok {
		return 0
	}
	if !now.Before(u.until) {
		delete(b.until, id)
		return 0
	}
	return u.until.Sub(now)
}

// Reason says why m should be tried last ("" when its provider asked for
// no wait, or the wait is over): part of the router's Config.Unhealthy.
func (b *Backoff) Reason(m router.Model) string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.wait(m.ID, b.now())
	if w <= 0 {
		return ""
	}
	return fmt.Sprintf("rate limited: its provider answered HTTP %d and asked to wait %s more",
		b.until[m.ID].status, roundUp(w))
}

// Models lists the ids of the models now waiting, sorted.
func (b *Backoff) Models() []string {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var ids []string
	for id := range b.until {
		if b.wait(id, now) > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// roundUp rounds a wait up to whole seconds: "wait 0s more" would invite
// a retry that is still too early.
func roundUp(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}

// retryAfter reads how long a provider asks to be left alone:
// retry-after-ms (OpenAI's and Azure's, in milliseconds) when present and
// valid, else Retry-After in seconds or as an HTTP date. 0 when neither
// says to wait. Every form is capped at maxRetryAfter: a date centuries
// away would otherwise saturate time.Duration and overflow the rounding of
// the client's own Retry-After.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 && !math.IsInf(ms, 0) {
			return time.Duration(min(ms, float64(maxRetryAfter/time.Millisecond)) * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	// A number past int64 is a wait longer than any (ParseInt gives the
	// bound with ErrRange), cut to maxRetryAfter as a long one is.
	if s, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(maxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// maxRetryAfter is the longest wait taken from a provider, and passed on
// to the client, whatever form the provider gave it in.
const maxRetryAfter = 24 * time.Hour
