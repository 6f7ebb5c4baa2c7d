package server

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A budget set with `keys budget` on a key whose calls are under way
// counts them, as it would had it been set before they began: the next
// call is refused for them until they have finished, not let in as if the
// key had spent nothing.
func TestABudgetSetWhileItsKeysCallsAreUnderWayCountsThem(t *testing.T) {
	src := &budgetSource{} // no cap yet
	e := newE2E(t, func(c *Config) {
		tr := budget.New(src, nil)
		tr.Refresh = 0 // read at every call, as after `keys budget` and the refresh
		c.Budgets = tr
	})
	gate := make(chan struct{})
	e.openai.Set("mini", upstreamtest.Behavior{Gate: gate})
	const calls = 3
	var wg sync.WaitGroup
	for range calls {
		wg.Go(func() {
			postFrom(context.Background(), e, `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`)
		})
	}
	require.Eventually(t, func() bool { return len(e.openai.RequestsFor("mini")) == calls }, 10*time.Second, 5*time.Millisecond)

	// mini's calls are each expected to cost about $0.00016: the three
	// under way hold more than the cap.
	src.set(0.0004)
	next := postFrom(context.Background(), e, `{"model":"model-router","routing_config":{"models":["nano"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`)
	require.NoError(t, next.err)
	assert.Equal(t, http.StatusTooManyRequests, next.status, "%s", next.body)
	assert.Equal(t, "insufficient_quota", next.code())
	assert.Contains(t, string(next.body), "its 3 calls under way are expected to spend")
	assert.Empty(t, next.header.Get("x-should-retry"), "they may cost less: a retry may be let in")

	close(gate)
	wg.Wait()
	e.log.waitFor(t, calls+1)
	next = postFrom(context.Background(), e, `{"model":"model-router","routing_config":{"models":["nano"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`)
	assert.Equal(t, http.StatusOK, next.status, "once they have finished, what they cost is what counts: %s", next.body)
}
