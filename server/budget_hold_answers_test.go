package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// callUnderWay sends body to a stalled mini with the e2e key and returns
// once mini has it; the call stays under way until the test ends, or until
// end (its client leaves, unanswered) is called.
func callUnderWay(t *testing.T, e *e2e, body string) (end func()) {
	t.Helper()
	e.openai.Set("mini", upstreamtest.Behavior{Stall: true})
	ctx, leave := context.WithCancel(context.Background())
	done := make(chan struct{})
	end = func() { leave(); <-done }
	t.Cleanup(end)
	go func() {
		defer close(done)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-e.openai.Received("mini")
	e.openai.Set("mini", upstreamtest.Behavior{})
	return end
}

// A Chat call that asks for several answers (n) is billed for each, so
// while it is under way it holds each one's expected cost against its
// key's budget, not one answer's. The budget here has room for two
// single-answer calls under way: beside a call that asked for one answer
// another is let in, beside one that asked for four it is refused. An n
// the provider refuses (over 128) holds what one answer would cost.
func TestACallUnderWayHoldsEveryAnswerItAskedFor(t *testing.T) {
	// mini's expected cost for this prompt is about $0.00016, nearly all
	// of it the answer (about 8 prompt tokens at $0.4/M).
	const usd = 0.0003
	single := `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`
	for _, tc := range []struct {
		n    int
		want int
	}{{1, http.StatusOK}, {4, http.StatusTooManyRequests}, {1000, http.StatusOK}} {
		t.Run(fmt.Sprintf("n=%d", tc.n), func(t *testing.T) {
			e := newE2E(t, func(c *Config) { c.Budgets = budget.New(capSource{usd: usd}, nil) })
			callUnderWay(t, e, fmt.Sprintf(`{"model":"model-router","n":%d,"routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`, tc.n))

			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", single)
			require.Equal(t, tc.want, status, "%s", raw)
			if tc.want == http.StatusTooManyRequests {
				assert.Contains(t, string(raw), "insufficient_quota")
				assert.Contains(t, string(raw), "1 call under way")
			}
		})
	}
}
