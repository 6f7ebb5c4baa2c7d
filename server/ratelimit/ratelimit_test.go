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

// saturate drives a deployment for a simulated 3 minutes: a client sends as
// fast as it is let, retrying at Retry-After, and every answer bills its
// estimate ±20 %, settled 2 s later. pause, when set, says whether the client
// is idle at an offset from the start (it then skips ahead a second). It
// returns the billed tokens accepted in each second and the refusals.
func saturate(t *testing.T, capacity, minEst, maxEst int, pause func(time.Duration) bool) (perSecond []int, rejected int) {
	t.Helper()
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", capacity)
	rng := rand.New(rand.NewPCG(1, uint64(capacity)))
	type pending struct {
		at     time.Time
		settle func(int)
		actual int
	}
	var queue []pending
	perSecond = make([]int, 180)
	start := clk.now()
	for clk.now().Sub(start) < 180*time.Second {
		for len(queue) > 0 && !queue[0].at.After(clk.now()) {
			queue[0].settle(queue[0].actual)
			queue = queue[1:]
		}
		if pause != nil && pause(clk.now().Sub(start)) {
			clk.advance(time.Second)
			continue
		}
		est := minEst + rng.IntN(maxEst-minEst+1)
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
	return perSecond, rejected
}

// windowSums returns the tokens in every 60-second window [from, from+60).
func windowSums(perSecond []int) []float64 {
	var sums []float64
	for from := 0; from+60 <= len(perSecond); from++ {
		sum := 0
		for _, n := range perSecond[from : from+60] {
			sum += n
		}
		sums = append(sums, float64(sum))
	}
	return sums
}

// TestTokensPerMinuteStayAtTheLimit drives a deployment far past its limit.
// No 60-second window, the first included, may take more than 5 % over
// capacity x 1,000. Once the first minute has paid back the opening burst
// (the full 10-second bucket), every window must also get within 5 % of the
// limit: a saturating client is not starved. (In the first minute the client
// front-loads its burst and then stalls at the minute cap, so windows that
// start a few seconds in see up to 7 % less: less than the limit, never
// more.)
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
			perSecond, rejected := saturate(t, tt.capacity, tt.minEst, tt.maxEst, nil)
			require.Positive(t, rejected, "the client must be driven past the limit")
			limit := float64(tt.capacity * 1000)
			lo, hi := math.Inf(1), math.Inf(-1)
			for from, sum := range windowSums(perSecond) {
				assert.LessOrEqual(t, sum, 1.05*limit, "tokens accepted in seconds [%d, %d)", from, from+60)
				if from >= 60 {
					assert.GreaterOrEqual(t, sum, 0.95*limit, "tokens accepted in seconds [%d, %d)", from, from+60)
					lo = min(lo, sum)
				}
				hi = max(hi, sum)
			}
			t.Logf("capacity %d: tokens per 60-s window: at most %.0f (%+.1f %%), from the second minute at least %.0f (%+.1f %%), %d refusals",
				tt.capacity, hi, 100*(hi/limit-1), lo, 100*(lo/limit-1), rejected)
		})
	}
}

// TestBurstyClientNeverExceedsTheMinute: a client that idles 10 s out of
// every 70 finds a full bucket after each pause and then sends for 60 s. A
// bucket alone would let its content through on top of the minute's refill
// (+17 % at 10 s of burst); the minute cap holds every window within 5 %.
func TestBurstyClientNeverExceedsTheMinute(t *testing.T) {
	for _, capacity := range []int{10, 100} {
		t.Run(strconv.Itoa(capacity), func(t *testing.T) {
			idle := func(at time.Duration) bool { return at%(70*time.Second) < 10*time.Second }
			perSecond, _ := saturate(t, capacity, 50*capacity/10, 400*capacity/10, idle)
			limit := float64(capacity * 1000)
			hi := 0.0
			for from, sum := range windowSums(perSecond) {
				assert.LessOrEqual(t, sum, 1.05*limit, "tokens accepted in seconds [%d, %d)", from, from+60)
				hi = max(hi, sum)
			}
			t.Logf("capacity %d, idle 10 s in 70: at most %.0f tokens per 60-s window (%+.1f %%)", capacity, hi, 100*(hi/limit-1))
		})
	}
}

// TestBackToBackRequestsFitTheBurst: at the default capacity a playground
// user can send a few ordinary requests in a row without a 429.
func TestBackToBackRequestsFitTheBurst(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	for i := range 3 {
		settle, h, ok := l.Admit(dep("model-router", 10), 500)
		require.True(t, ok, "request %d of 500 tokens, %s remaining", i+1, h.Get("x-ratelimit-remaining-tokens"))
		settle(500)
		clk.advance(time.Second)
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
	// 2 minutes at 6 RPM: the 10-second burst (1 request) is inside the
	// minute cap.
	assert.InDelta(t, 12, accepted, 1)
}

// At capacity 10 the 10-second buckets hold 10 requests and 1,666 tokens
// (10,000 tokens a minute refill 166.7 a second, one token every 6 ms).

func TestHeaders(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", 10)
	settle, h, ok := l.Admit(d, 100)
	require.True(t, ok)
	settle(100)
	assert.Equal(t, "60", h.Get("x-ratelimit-limit-requests"))
	assert.Equal(t, "10000", h.Get("x-ratelimit-limit-tokens"))
	assert.Equal(t, "9", h.Get("x-ratelimit-remaining-requests"), "a 10-second burst of 60 RPM holds 10 requests")
	assert.Equal(t, "1566", h.Get("x-ratelimit-remaining-tokens"), "a 10-second burst of 10,000 TPM holds 1,666 tokens")
	assert.Equal(t, "1s", h.Get("x-ratelimit-reset-requests"))
	assert.Equal(t, "600ms", h.Get("x-ratelimit-reset-tokens"), "100 tokens refill in 0.6 s")
	assert.Empty(t, h.Get("Retry-After"), "only refusals carry Retry-After")

	_, h, ok = l.Admit(d, 1616) // 1,566.7 left
	require.False(t, ok)
	assert.InDelta(t, 296*time.Millisecond, retryAfter(t, h), float64(2*time.Millisecond), "49.3 tokens at 10,000/min")
	assert.Equal(t, "1", h.Get("Retry-After"), "whole seconds, rounded up")
	for _, k := range []string{"limit-requests", "limit-tokens", "remaining-requests", "remaining-tokens", "reset-requests", "reset-tokens"} {
		assert.NotEmpty(t, h.Get("x-ratelimit-"+k), k)
	}
}

func TestSettleRefundsAndCharges(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", 10) // bucket holds 1,666 tokens

	settle, _, ok := l.Admit(d, 1500)
	require.True(t, ok)
	_, _, ok = l.Admit(d, 200)
	assert.False(t, ok, "only 166 tokens left")
	settle(1200) // the answer was smaller than estimated: 300 back
	settle(100)  // a second settle changes nothing
	settle2, h, ok := l.Admit(d, 200)
	require.True(t, ok)
	assert.Equal(t, "266", h.Get("x-ratelimit-remaining-tokens"))

	settle2(1700) // 1,500 more than charged: the bucket goes into debt
	_, h, ok = l.Admit(d, 1)
	require.False(t, ok)
	// The level is 266.67 - 1,500 = -1,233.33: 1,234.33 tokens to refill.
	assert.InDelta(t, 7406*time.Millisecond, retryAfter(t, h), float64(2*time.Millisecond), "pay back the debt plus 1 token")
}

// TestMinuteCapRefusesWhatTheBucketWouldAllow: a client asking every 100 ms
// empties the bucket, then takes its refill; after 55 s the bucket alone
// would have let 16,666 + 55 x 1,666 = 108,333 tokens through, but the minute
// holds 103,000 (the limit plus 3 %). The next request waits until second 0
// leaves the 60-second window.
func TestMinuteCapRefusesWhatTheBucketWouldAllow(t *testing.T) {
	clk := newClock()
	start := clk.now()
	l := ratelimit.New(clk.now)
	d := dep("router", 100) // 100,000 TPM, 600 RPM
	accepted := 0
	for clk.now().Sub(start) < 55*time.Second {
		if settle, _, ok := l.Admit(d, 1000); ok {
			settle(1000)
			accepted += 1000
		}
		clk.advance(100 * time.Millisecond)
	}
	assert.Equal(t, 103_000, accepted)
	_, h, ok := l.Admit(d, 1000)
	require.False(t, ok)
	assert.Equal(t, start.Add(60*time.Second).Sub(clk.now()), retryAfter(t, h), "second 0 leaves the window at 60 s")
	assert.Equal(t, "0", h.Get("x-ratelimit-remaining-tokens"), "the bucket has tokens but the minute is spent")
	clk.advance(retryAfter(t, h))
	_, _, ok = l.Admit(d, 1000)
	assert.True(t, ok)
}

func TestOversizedRequestWaitsForFullBucket(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	d := dep("router", 10)
	settle, _, ok := l.Admit(d, 5000) // 3x the bucket
	require.True(t, ok, "a full bucket lets an oversized request through")
	settle(5000)
	_, h, ok := l.Admit(d, 5000)
	require.False(t, ok)
	// Debt of 3,333 plus a full bucket of 1,666 at 10,000 tokens/min: 30 s.
	assert.InDelta(t, 30*time.Second, retryAfter(t, h), float64(time.Millisecond))
	clk.advance(30 * time.Second)
	_, _, ok = l.Admit(d, 5000)
	assert.True(t, ok)
}

func TestDeploymentsAreIndependent(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	_, _, ok := l.Admit(dep("a", 10), 1600)
	require.True(t, ok)
	_, _, ok = l.Admit(dep("a", 10), 100)
	assert.False(t, ok)
	_, _, ok = l.Admit(dep("b", 10), 1600)
	assert.True(t, ok)
}

func TestCapacityChangeTakesEffect(t *testing.T) {
	clk := newClock()
	l := ratelimit.New(clk.now)
	_, _, ok := l.Admit(dep("a", 10), 1666)
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
// for a bucket of 10 requests / 1,666 tokens; exactly 10 get through.
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
	assert.Equal(t, int64(10), admitted.Load())
}
