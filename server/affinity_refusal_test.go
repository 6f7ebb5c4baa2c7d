package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A session whose chosen model fails once (a 503, failover's job) and whose
// fallback refuses the request with a 400 got no answer: nothing pins it to
// the fallback. Were it pinned there, every later turn would go to the
// refusal first and get the same 400, although the session's first model is
// back and answers a fresh session at once.
func TestSessionIsNotPinnedToAModelThatRefusedIt(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("large", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable, FailTimes: 1})
	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusBadRequest})

	const body = `{"model":"model-router","messages":[{"role":"user","content":"Summarise this."}],` +
		`"routing_config":{"mode":"quality","models":["large","claude"]}}`
	call := func(session string) *httptest.ResponseRecorder {
		req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-session-id", session)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		rec := httptest.NewRecorder()
		rec.Code = resp.StatusCode
		for k, v := range resp.Header {
			rec.Header()[k] = v
		}
		_, _ = io.Copy(rec.Body, resp.Body)
		return rec
	}

	first := call("conversation-1")
	require.Equal(t, http.StatusBadRequest, first.Code, first.Body.String())
	require.Equal(t, "claude", first.Header().Get("x-modelrouter-model"))

	// large is back: a fresh session is answered by it.
	fresh := call("conversation-2")
	require.Equal(t, http.StatusOK, fresh.Code, fresh.Body.String())
	require.Equal(t, "large", fresh.Header().Get("x-modelrouter-model"))

	// The first session never had an answer, so it is routed as fresh.
	again := call("conversation-1")
	assert.Equal(t, http.StatusOK, again.Code, "the session's next turn: %s", again.Body.String())
	assert.Equal(t, "large", again.Header().Get("x-modelrouter-model"),
		"the session was pinned to the model that refused it")
}
