package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/ratelimit"
)

// Calls sent at once to a deployment are let in exactly as far as its
// request bucket holds (capacity 10: 10 requests) on a clock that does not
// move, and each answer's x-ratelimit-* headers say what was left once it
// was let in: the admitted ones count down 9 to 0, each value once, the
// refused ones say 0 requests left, none is negative, and every refusal
// is a 429 rate_limited with Retry-After and retry-after-ms.
func TestABurstIsLetInExactlyAsFarAsTheDeploymentsCapacityAndItsHeadersAgree(t *testing.T) {
	frozen := time.Unix(1_800_000_000, 0)
	e := newE2E(t, func(c *Config) { c.Limiter = ratelimit.New(func() time.Time { return frozen }) })
	const n = 30
	body := `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`
	answers := make([]answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = postFrom(context.Background(), e, body) })
	}
	wg.Wait()

	header := func(a answer, name string) int {
		t.Helper()
		v, err := strconv.Atoi(a.header.Get(name))
		require.NoError(t, err, "%s: %q", name, a.header.Get(name))
		assert.GreaterOrEqual(t, v, 0, name)
		return v
	}
	var left []int
	for _, a := range answers {
		require.NoError(t, a.err)
		assert.Equal(t, "60", a.header.Get("x-ratelimit-limit-requests"))
		assert.Equal(t, "10000", a.header.Get("x-ratelimit-limit-tokens"))
		header(a, "x-ratelimit-remaining-tokens")
		assert.NotEmpty(t, a.header.Get("x-ratelimit-reset-requests"))
		assert.NotEmpty(t, a.header.Get("x-ratelimit-reset-tokens"))
		switch a.status {
		case http.StatusOK:
			left = append(left, header(a, "x-ratelimit-remaining-requests"))
			assert.Empty(t, a.header.Get("Retry-After"))
		case http.StatusTooManyRequests:
			assert.Equal(t, router.ERateLimited, a.code(), "%s", a.body)
			assert.Equal(t, 0, header(a, "x-ratelimit-remaining-requests"))
			ms := header(a, "retry-after-ms")
			assert.Positive(t, ms)
			assert.Equal(t, (ms+999)/1000, header(a, "Retry-After"), "Retry-After is retry-after-ms in whole seconds, rounded up")
		default:
			t.Errorf("status %d: %s", a.status, a.body)
		}
	}
	slices.Sort(left)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, left, "10 let in, each told what it left")
	assert.Len(t, e.openai.RequestsFor("mini"), 10, "the refused calls reached no provider")
}
