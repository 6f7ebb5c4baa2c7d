package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// stuckSettleLimiter lets every call in, and keeps the settle of the first
// one from returning until let is closed: the first call's bookkeeping,
// which runs after its client has the answer, is still to come while the
// client calls again.
type stuckSettleLimiter struct {
	let   chan struct{}
	first atomic.Bool
}

func (l *stuckSettleLimiter) Admit(router.Deployment, int) (func(int), http.Header, bool) {
	if l.first.CompareAndSwap(false, true) {
		return func(int) { <-l.let }, nil, true
	}
	return func(int) {}, nil, true
}

// armedSource is capSource that notes when a key's budget is read (at the
// start of each check) once armed.
type armedSource struct {
	capSource
	armed, read atomic.Bool
}

func (s *armedSource) KeyBudget(ctx context.Context, key string) (store.Budget, error) {
	if s.armed.Load() {
		s.read.Store(true)
	}
	return s.capSource.KeyBudget(ctx, key)
}

// A client that sends its calls one after another, never two at once, is
// never refused for a call of its own under way: the one it has the whole
// answer of is not, even where the gateway's bookkeeping of it (which
// follows the answer's last byte) has not run yet when the next call comes.
// Here that bookkeeping waits until the next call is being checked (its
// key's budget read, the tracker's clock asked while the check holds the
// tracker), so the next call's check cannot miss it; the budget is below
// what the first call held but above what it cost.
func TestASequentialClientIsNotRefusedForItsFinishedCall(t *testing.T) {
	// mini's expected cost: about $0.00016; its answer, four (long)
	// words, far less.
	const usd = 0.0001
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "whole", true: "streamed"}[stream]
		t.Run(name, func(t *testing.T) {
			lim := &stuckSettleLimiter{let: make(chan struct{})}
			src := &armedSource{capSource: capSource{usd: usd}}
			var letOnce sync.Once
			clock := func() time.Time {
				if src.read.Load() {
					// Asked while the next call's check holds the tracker:
					// the first call's bookkeeping runs from here on.
					letOnce.Do(func() { close(lim.let) })
				}
				return time.Now()
			}
			t.Cleanup(func() { letOnce.Do(func() { close(lim.let) }) })
			tr := budget.New(src, clock)
			tr.Refresh = 0 // read at every check
			e := newE2E(t, func(c *Config) { c.Budgets, c.Limiter = tr, lim })
			// An answer of 20 KB that costs a few tokens: larger than what
			// net/http keeps back until the handler returns.
			e.openai.Set("mini", upstreamtest.Behavior{Reply: strings.TrimSpace(strings.Repeat(strings.Repeat("Paris", 1000)+" ", 4))})
			body := `{"model":"model-router","stream":` + map[bool]string{false: "false", true: "true"}[stream] +
				`,"routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"What is the capital of France?"}]}`

			first := readWholeAnswer(t, e, body, stream)
			defer first.Body.Close()

			src.armed.Store(true)
			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", body)
			assert.Equal(t, http.StatusOK, status, "the call before it was answered whole: %s", raw)
		})
	}
}

// readWholeAnswer sends body with the e2e key and reads its answer as far as a
// client needs to have it whole (the JSON object, or the stream's [DONE]),
// not to the end of the body, which it leaves open.
func readWholeAnswer(t *testing.T, e *e2e, body string, stream bool) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	if !stream {
		var v map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return resp
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if sc.Text() == "data: [DONE]" {
			return resp
		}
	}
	t.Fatalf("the stream ended without [DONE]: %v", sc.Err())
	return nil
}
