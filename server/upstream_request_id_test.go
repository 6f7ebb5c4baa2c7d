package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// postChat sends a chat call routed among models (quality mode: the
// best of them first, the rest its fallbacks) and returns its status.
func postChat(t *testing.T, e *e2e, models string, stream bool) int {
	t.Helper()
	return postChatWith(t, e, models, stream, nil)
}

// onlyRequest is the one request the fake got for model.
func onlyRequest(t *testing.T, f *upstreamtest.Fake, model string) upstreamtest.Request {
	t.Helper()
	reqs := f.RequestsFor(model)
	require.Len(t, reqs, 1, "one request for %s", model)
	require.NotEmpty(t, reqs[0].RequestID, "the fake sent %s's request id", model)
	return reqs[0]
}

// Each attempt in the decision log keeps the provider's own id for its
// request, from the response headers the provider's support asks for
// (OpenAI's x-request-id, Anthropic's request-id, Azure's
// apim-request-id), whether the attempt answered, streamed or failed.
func TestEachAttemptKeepsTheProvidersRequestID(t *testing.T) {
	t.Run("a JSON answer from OpenAI", func(t *testing.T) {
		e := newE2E(t)
		require.Equal(t, http.StatusOK, postChat(t, e, `["mini"]`, false))
		r := e.log.waitFor(t, 1)[0]
		require.Len(t, r.Attempts, 1)
		assert.Equal(t, onlyRequest(t, e.openai, "mini").RequestID, r.Attempts[0].UpstreamRequestID)
	})
	t.Run("a streamed answer from Anthropic", func(t *testing.T) {
		e := newE2E(t)
		require.Equal(t, http.StatusOK, postChat(t, e, `["claude"]`, true))
		r := e.log.waitFor(t, 1)[0]
		require.Len(t, r.Attempts, 1)
		assert.Equal(t, onlyRequest(t, e.anthropic, "claude").RequestID, r.Attempts[0].UpstreamRequestID)
	})
	t.Run("a JSON answer from Azure OpenAI: its apim-request-id", func(t *testing.T) {
		e := newE2E(t)
		e.start(t, func(c *Config) {
			c.Forwarder = &upstream.Forwarder{AttemptTimeout: 5 * time.Second, Providers: upstream.Providers{ByName: map[string]upstream.Provider{
				"openai": {Name: "azure", Kind: upstream.KindAzure, BaseURL: e.openai.Root, APIKey: "sk-upstream-azure"},
			}}}
		})
		require.Equal(t, http.StatusOK, postChat(t, e, `["mini"]`, false))
		r := e.log.waitFor(t, 1)[0]
		require.Len(t, r.Attempts, 1)
		assert.Equal(t, onlyRequest(t, e.openai, "mini").RequestID, r.Attempts[0].UpstreamRequestID)
	})
	t.Run("a failed attempt, then the model failed over to", func(t *testing.T) {
		e := newE2E(t)
		e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
		require.Equal(t, http.StatusOK, postChat(t, e, `["claude","mini"]`, true))
		r := e.log.waitFor(t, 1)[0]
		require.Len(t, r.Attempts, 2)
		assert.Equal(t, "claude", r.Attempts[0].Model)
		assert.Equal(t, http.StatusInternalServerError, r.Attempts[0].Status)
		assert.Equal(t, onlyRequest(t, e.anthropic, "claude").RequestID, r.Attempts[0].UpstreamRequestID)
		assert.Equal(t, "mini", r.Attempts[1].Model)
		assert.Equal(t, onlyRequest(t, e.openai, "mini").RequestID, r.Attempts[1].UpstreamRequestID)
	})
	t.Run("a server that sends none", func(t *testing.T) {
		e := newE2E(t)
		e.openai.Set("mini", upstreamtest.Behavior{NoRequestID: true})
		require.Equal(t, http.StatusOK, postChat(t, e, `["mini"]`, false))
		r := e.log.waitFor(t, 1)[0]
		require.Len(t, r.Attempts, 1)
		assert.Empty(t, r.Attempts[0].UpstreamRequestID)
	})
}
