// Package ratelimit enforces a deployment's capacity, as the reference does:
// capacity 1 is 1,000 tokens per minute (so the default capacity 10 is
// 10,000 TPM) and 6 requests per minute (Azure OpenAI's ratio of 6 RPM per
// 1,000 TPM, so capacity 10 is 60 RPM).
//
// Each deployment has two token buckets, one for tokens and one for requests.
// They refill continuously at the per-minute limit and hold Burst worth of
// refill (10 seconds by default), the way Azure evaluates its limits over
// short windows: at capacity 10 a full token bucket holds 1,666 tokens, so a
// playground user can send a few requests back to back. A bucket alone would
// let its content through on top of a minute's refill after an idle spell
// (+17 % in that minute with a 10-second bucket), so each bucket also has a
// 60-second sliding window, counted per second, that caps what any minute
// accepts at the limit itself. A request is charged its estimated tokens up
// front and settled with the real usage afterwards, in both.
package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

const (
	// TokensPerCapacity is the tokens per minute one unit of capacity buys.
	TokensPerCapacity = 1000
	// RequestsPerCapacity is the requests per minute one unit buys.
	RequestsPerCapacity = 6
	// minuteHeadroom lets a minute's tokens exceed the limit by this share.
	// Without it the window caps at exactly the limit, and a client that
	// emptied a full bucket right away stalls at the end of its first minute,
	// leaving the next windows up to 7 % short (measured); 3 % is what
	// the earlier 3-second bucket let through anyway.
	minuteHeadroom = 0.03
	// DefaultBurst is how much refill time a bucket holds.
	DefaultBurst = 10 * time.Second
)

// Limiter holds the buckets of every deployment it has seen. Safe for
// concurrent use.
type Limiter struct {
	// Now is the clock (time.Now when nil); tests inject a fake one.
	Now func() time.Time
	// Burst is the refill time a full bucket holds (DefaultBurst when 0).
	Burst time.Duration

	mu      sync.Mutex
	buckets map[string]*limits
}

// New returns a Limiter on the given clock (time.Now when nil).
func New(now func() time.Time) *Limiter {
	return &Limiter{Now: now}
}

// limits are one deployment's buckets.
type limits struct {
	capacity int
	tokens   bucket
	requests bucket
	// tokensMinute and requestsMinute cap every 60-second window.
	tokensMinute   window
	requestsMinute window
}

// Admit decides whether a request for dep, estimated at estTokens tokens,
// may go ahead now. When ok it charges the estimate and one request, and
// settle must be called once with the tokens the upstream actually billed
// (it refunds or charges the difference; later calls do nothing). The
// headers (x-ratelimit-*; plus Retry-After and retry-after-ms when not ok)
// describe the deployment's limits either way.
//
// A request estimated above what a full bucket holds is let through when the
// bucket is full and leaves it in debt, so it is slow rather than impossible.
// A deployment with capacity <= 0 is not limited (no headers).
func (l *Limiter) Admit(dep router.Deployment, estTokens int) (settle func(actualTokens int), headers http.Header, ok bool) {
	if dep.Capacity <= 0 {
		return func(int) {}, http.Header{}, true
	}
	estTokens = max(estTokens, 0)
	now := l.now()

	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.limitsFor(dep, now)
	lim.tokens.refill(now)
	lim.requests.refill(now)

	wait := max(lim.tokens.waitFor(float64(estTokens)), lim.requests.waitFor(1),
		lim.tokensMinute.waitFor(float64(estTokens), now), lim.requestsMinute.waitFor(1, now))
	if wait > 0 {
		h := lim.headers(now)
		ms := int64(math.Ceil(float64(wait) / float64(time.Millisecond)))
		h.Set("Retry-After", strconv.FormatInt(max(1, (ms+999)/1000), 10))
		h.Set("retry-after-ms", strconv.FormatInt(ms, 10))
		return nil, h, false
	}
	lim.tokens.level -= float64(estTokens)
	lim.requests.level--
	lim.tokensMinute.add(now, float64(estTokens))
	lim.requestsMinute.add(now, 1)
	h := lim.headers(now)

	admitted := now
	var once sync.Once
	settle = func(actualTokens int) {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			// Into the deployment's buckets as they are now: a capacity
			// change since admission replaced them, and the old ones are
			// read by no one.
			lim := lim
			if cur := l.buckets[dep.Name]; cur != nil {
				lim = cur
			}
			diff := float64(estTokens - max(actualTokens, 0))
			b := &lim.tokens
			b.refill(l.now())
			b.level = min(b.level+diff, b.size)
			lim.tokensMinute.adjust(admitted, -diff, l.now())
		})
	}
	return settle, h, true
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// limitsFor returns dep's buckets, created full on first use and rescaled
// when the deployment's capacity changed.
func (l *Limiter) limitsFor(dep router.Deployment, now time.Time) *limits {
	if l.buckets == nil {
		l.buckets = map[string]*limits{}
	}
	burst := l.Burst
	if burst <= 0 {
		burst = DefaultBurst
	}
	lim, ok := l.buckets[dep.Name]
	if !ok || lim.capacity != dep.Capacity {
		next := &limits{
			capacity:       dep.Capacity,
			tokens:         newBucket(float64(dep.Capacity*TokensPerCapacity), burst, now),
			requests:       newBucket(float64(dep.Capacity*RequestsPerCapacity), burst, now),
			tokensMinute:   window{limit: float64(dep.Capacity*TokensPerCapacity) * (1 + minuteHeadroom)},
			requestsMinute: window{limit: float64(dep.Capacity * RequestsPerCapacity)},
		}
		if ok { // keep the debt or the spent part across a resize
			next.tokens.level = min(lim.tokens.level, next.tokens.size)
			next.requests.level = min(lim.requests.level, next.requests.size)
			next.tokens.last, next.requests.last = lim.tokens.last, lim.requests.last
			next.tokensMinute.slots, next.requestsMinute.slots = lim.tokensMinute.slots, lim.requestsMinute.slots
		}
		lim = next
		l.buckets[dep.Name] = lim
	}
	return lim
}

func (lim *limits) headers(now time.Time) http.Header {
	h := http.Header{}
	h.Set("x-ratelimit-limit-requests", strconv.Itoa(int(lim.requests.perMinute)))
	h.Set("x-ratelimit-limit-tokens", strconv.Itoa(int(lim.tokens.perMinute)))
	remaining := func(b bucket, w *window) string {
		left := min(b.level, w.limit-w.sum(now))
		return strconv.Itoa(int(max(0, math.Floor(left))))
	}
	h.Set("x-ratelimit-remaining-requests", remaining(lim.requests, &lim.requestsMinute))
	h.Set("x-ratelimit-remaining-tokens", remaining(lim.tokens, &lim.tokensMinute))
	// Reset is when remaining is back at its most, a full bucket: the
	// bucket refilled and the minute with room for it. Once a capacity is
	// lowered the minute may stay spent long after the smaller bucket is
	// full.
	reset := func(b bucket, w *window) string {
		return formatReset(max(b.untilFull(), w.waitFor(b.size, now)))
	}
	h.Set("x-ratelimit-reset-requests", reset(lim.requests, &lim.requestsMinute))
	h.Set("x-ratelimit-reset-tokens", reset(lim.tokens, &lim.tokensMinute))
	return h
}

// formatReset writes a duration the way OpenAI's reset headers do ("1s",
// "6m0s", "250ms").
func formatReset(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// bucket refills continuously at perMinute and holds at most size; level may
// go negative (debt) after an oversized request or an upward settle.
type bucket struct {
	perMinute float64
	size      float64
	level     float64
	last      time.Time
}

func newBucket(perMinute float64, burst time.Duration, now time.Time) bucket {
	size := perMinute * burst.Minutes()
	return bucket{perMinute: perMinute, size: size, level: size, last: now}
}

func (b *bucket) refill(now time.Time) {
	if now.After(b.last) {
		b.level = min(b.size, b.level+b.perMinute*now.Sub(b.last).Minutes())
		b.last = now
	}
}

// waitFor is how long until n units can be taken: n itself, or a full
// bucket when n is more than the bucket holds.
func (b *bucket) waitFor(n float64) time.Duration {
	need := min(n, b.size)
	// A hair of float rounding in the refill must not refuse a retry made
	// exactly when retry-after-ms said.
	if b.level >= need-1e-6 {
		return 0
	}
	return b.durationFor(need - b.level)
}

func (b *bucket) untilFull() time.Duration { return b.durationFor(b.size - b.level) }

func (b *bucket) durationFor(units float64) time.Duration {
	if units <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(units / b.perMinute * float64(time.Minute)))
}
