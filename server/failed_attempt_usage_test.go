package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Claude stream reports its input tokens in message_start; one that then
// fails (overloaded_error) before its answer begins fails over, and its
// attempt is not billed. Its tokens must not reach the call's row (and so
// modelrouter_tokens_total) when no later model answers either: not when
// every model failed, nor when the next model's provider refused the
// request (its 4xx is not billed), where the row would show Claude's
// tokens under the refusing model at no cost.
func TestAFailedAttemptsUsageIsNotLoggedForTheCall(t *testing.T) {
	for _, tc := range []struct {
		name   string
		models string
		mini   upstreamtest.Behavior
		status int
	}{
		{name: "every model failed", models: `["claude"]`, status: http.StatusBadGateway},
		{name: "the next model refused the request", models: `["claude","mini"]`,
			mini: upstreamtest.Behavior{FailStatus: http.StatusBadRequest}, status: http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t)
			e.anthropic.Set("claude", upstreamtest.Behavior{ErrorAfter: 1})
			e.openai.Set("mini", tc.mini)
			body := `{"model":"model-router","stream":true,"routing_config":{"mode":"quality","models":` + tc.models +
				`},"messages":[{"role":"user","content":"What is the capital of France?"}]}`
			req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+e2eKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)

			r := e.log.waitFor(t, 1)[0]
			require.Equal(t, "claude", r.Attempts[0].Model, "Claude was tried first and failed")
			assert.Equal(t, router.Usage{}, r.Usage, "tokens of a failed attempt, logged for a call no model answered")
			assert.False(t, r.UsageEstimated)
			assert.Zero(t, r.CostUSD)
		})
	}
}
