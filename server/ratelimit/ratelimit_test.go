package ratelimit_test

import (
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/ratelimit"
)

// clock is a fake clock tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func dep(name string, capacity int) router.Deployment {
	return router.Deployment{Name: name, Capacity: capacity}
}

func retryAfter(t *testing.T, h http.Header) time.Duration {
	t.Helper()
	ms, err := strconv.Atoi(h.Get("retry-after-ms"))
	require.NoError(t, err, "retry-after-ms %q", h.Get("retry-after-ms"))
	return time.Duration(ms) * time.Millisecond
}

// TestTokensPerMinuteStayAtTheLimit drives a deployment far past its limit
// for a simulated 3 minutes: a client sends as fast as it is let, retrying at
// Retry-After, and every answer bills its estimate ±20 %, settled 2 s later.
// Accepted tokens in every 60-second window must be within 5 % of capacity
// x 1,000.
func TestTokensPerMinuteStayAtTheLimit(t *testing.T) {
	tests := []struct {
		capacity       int
		minEst, maxEst int
	}{
		{capacity: 10, minEst: 50, maxEst: 400},    // the default deployment: 10,000 TPM
		{capacity: 100, minEst: 200, maxEst: 3000}, // 100,000 TPM, larger prompts
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.capacity), func(t *testing.T) {
			clk := newClock()
			l := ratelimit.New(clk.now)
			d := dep("router", tt.capacity)
			rng := rand.New(rand.NewPCG(1, uint64(tt.capacity)))
			type pending struct {
				at     time.Time
				settle func(int)
				actual int
			}
			var queue []pending
			perSecond := make([]int, 180) // accepted (billed) tokens by second
			start := clk.now()
			rejected := 0
			for clk.now().Sub(start) < 180*time.Second {
				for len(queue) > 0 && !queue[0].at.After(clk.now()) {
					queue[0].settle(queue[0].actual)
					queue = queue[1:]
				}
				est := tt.minEst + rng.IntN(tt.maxEst-tt.minEst+1)
				settle, h, ok := l.Admit(d, est)
				if !ok {
					rejected++
					clk.advance(retryAfter(t, h))
					continue
				}
				actual := int(float64(est) * (0.8 + 0.4*rng.Float64()))
				perSecond[int(clk.now().Sub(start)/time.Second)] += actual
				queue = append(queue, pending{clk.now().Add(2 * time.Second), settle, actual})
				clk.advance(10 * time.Millisecond)
			}
			require.Positive(t, rejected, "the client must be driven past the limit")
			limit := float64(tt.capacity * 1000)
			lo, hi := math.Inf(1), math.Inf(-1)
			for from := 0; from+60 <= len(perSecond); from++ {
				sum := 0
				for _, n := range perSecond[from : from+60] {
					sum += n
				}
				assert.InDelta(t, limit, float64(sum), 0.05*limit, "tokens accepted in seconds [%d, %d)", from, from+60)
				lo, hi = min(lo, float64(sum)), max(hi, float64(sum))
			}
			t.Logf("capacity %d: tokens per 60-s window %.0f..%.0f (limit %.0f: %+.1f %% .. %+.1f %%), %d refusals",
				tt.capacity, lo, hi, limit, 100*(lo/limit-1), 100*(hi/limit-1), rejected)
		})
	}
}

func TestRequestsPerMinute(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("small", 1) // 1,000 TPM, 6 RPM
	accepted := 0
	start := clk.now()
	for clk.now().Sub(start) < 2*time.Minute {
		settle, h, ok := l.Admit(d, 1)
		if !ok {
			clk.advance(retryAfter(t, h))
			continue
		}
		settle(1)
		accepted++
		clk.advance(time.Millisecond)
	}
	// 2 minutes at 6 RPM, plus the 3-second burst (0.3 of a request).
	assert.InDelta(t, 12, accepted, 1)
}

func TestHeaders(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", 10)
	settle, h, ok := l.Admit(d, 100)
	require.True(t, ok)
	settle(100)
	assert.Equal(t, "60", h.Get("x-ratelimit-limit-requests"))
	assert.Equal(t, "10000", h.Get("x-ratelimit-limit-tokens"))
	assert.Equal(t, "2", h.Get("x-ratelimit-remaining-requests"), "a 3-second burst of 60 RPM holds 3 requests")
	assert.Equal(t, "400", h.Get("x-ratelimit-remaining-tokens"), "a 3-second burst of 10,000 TPM holds 500 tokens")
	assert.Equal(t, "1s", h.Get("x-ratelimit-reset-requests"))
	assert.Equal(t, "600ms", h.Get("x-ratelimit-reset-tokens"), "100 tokens refill in 0.6 s")
	assert.Empty(t, h.Get("Retry-After"), "only refusals carry Retry-After")

	_, h, ok = l.Admit(d, 450) // 400 left
	require.False(t, ok)
	assert.Equal(t, "300", h.Get("retry-after-ms"), "50 tokens at 10,000/min")
	assert.Equal(t, "1", h.Get("Retry-After"), "whole seconds, rounded up")
	for _, k := range []string{"limit-requests", "limit-tokens", "remaining-requests", "remaining-tokens", "reset-requests", "reset-tokens"} {
		assert.NotEmpty(t, h.Get("x-ratelimit-"+k), k)
	}
}

func TestSettleRefundsAndCharges(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", 10) // bucket holds 500 tokens

	settle, _, ok := l.Admit(d, 400)
	require.True(t, ok)
	_, _, ok = l.Admit(d, 200)
	assert.False(t, ok, "only 100 tokens left")
	settle(100) // the answer was smaller than estimated: 300 back
	settle(100) // a second settle changes nothing
	settle2, h, ok := l.Admit(d, 200)
	require.True(t, ok)
	assert.Equal(t, "200", h.Get("x-ratelimit-remaining-tokens"))

	settle2(700) // 500 more than charged: the bucket goes into debt
	_, h, ok = l.Admit(d, 1)
	require.False(t, ok)
	assert.Equal(t, strconv.Itoa(301*60*1000/10000), h.Get("retry-after-ms"), "pay back 300 of debt plus 1 token")
}

func TestOversizedRequestWaitsForFullBucket(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", 10)
	settle, _, ok := l.Admit(d, 5000) // 10x the bucket
	require.True(t, ok, "a full bucket lets an oversized request through")
	settle(5000)
	_, h, ok := l.Admit(d, 5000)
	require.False(t, ok)
	// Debt of 4,500 plus a full bucket of 500 at 10,000 tokens/min: 30 s.
	assert.Equal(t, 30*time.Second, retryAfter(t, h))
	clk.advance(30 * time.Second)
	_, _, ok = l.Admit(d, 5000)
	assert.True(t, ok)
}

func TestDeploymentsAreIndependent(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	_, _, ok := l.Admit(dep("a", 10), 500)
	require.True(t, ok)
	_, _, ok = l.Admit(dep("a", 10), 100)
	assert.False(t, ok)
	_, _, ok = l.Admit(dep("b", 10), 500)
	assert.True(t, ok)
}

func TestCapacityChangeTakesEffect(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	_, _, ok := l.Admit(dep("a", 10), 500)
	require.True(t, ok)
	_, h, ok := l.Admit(dep("a", 100), 100)
	assert.False(t, ok, "the spent tokens stay spent after a resize")
	assert.Equal(t, "100000", h.Get("x-ratelimit-limit-tokens"))
	clk.advance(time.Second) // 100,000/min refills 1,666 tokens a second
	_, _, ok = l.Admit(dep("a", 100), 1500)
	assert.True(t, ok)
}

func TestNoCapacityMeansNoLimit(t *testing.T) {
	l := ratelimit.New(nil)
	for range 100 {
		settle, h, ok := l.Admit(dep("free", 0), 1_000_000)
		require.True(t, ok)
		assert.Empty(t, h)
		settle(1_000_000)
	}
}

// TestConcurrentAdmitsNeverOverspend: on a frozen clock, 50 goroutines race
// for a bucket of 3 requests / 500 tokens; exactly 3 get through.
func TestConcurrentAdmitsNeverOverspend(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	var wg sync.WaitGroup
	var admitted atomic.Int64
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if settle, _, ok := l.Admit(dep("router", 10), 100); ok {
				admitted.Add(1)
				settle(100)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(3), admitted.Load())
}
