package upstream_test

// Many servers of one's own serve Chat Completions but no Responses API
// (Ollama before its /v1/responses, llama.cpp's llama-server before its
// own, LM Studio's older builds, TGI). Each answers a POST to
// /v1/responses with its router's 404, in its own form. The deployment
// routed the call there, not the client: the next model answers it, and
// the model, which still answers Chat Completions, does not turn unhealthy.

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// routeNotFound answers every path but /chat/completions with a server's
// 404 for a path it has no route for.
func routeNotFound(contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chat/completions" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`))
			return
		}
		writes(http.StatusNotFound, contentType, body)(w, r)
	}
}

var missingRoutes = []struct{ server, contentType, body string }{
	// llama-server's error handler (tools/server/server-http.cpp).
	{"llama.cpp", "application/json; charset=utf-8", `{"error":{"message":"File Not Found","type":"not_found_error","code":404}}`},
	// gin's default 404.
	{"Ollama", "text/plain", "404 page not found"},
	// FastAPI's, for a path without a route.
	{"FastAPI", "application/json", `{"detail":"Not Found"}`},
	// axum's default: no body.
	{"TGI", "", ""},
}

func TestAResponsesCallToAServerWithoutTheResponsesAPIFailsOver(t *testing.T) {
	for _, tc := range missingRoutes {
		for _, stream := range []bool{false, true} {
			name := tc.server
			if stream {
				name += " streamed"
			}
			t.Run(name, func(t *testing.T) {
				m := newMisbehaving(t, upstream.KindOpenAI, routeNotFound(tc.contentType, tc.body))
				out, rec := m.call(t, upstream.APIResponses, stream)
				assert.Equal(t, m.good.ID, out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
				assert.Contains(t, rec.Body.String(), m.goodAnswer)
				require.Len(t, out.Attempts, 2)
				assert.Contains(t, out.Attempts[0].Error, "no Responses API", "the decision log says why")
			})
		}
	}
}

func TestAServerWithoutTheResponsesAPIStaysHealthyForChatCompletions(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, routeNotFound("application/json; charset=utf-8",
		`{"error":{"message":"File Not Found","type":"not_found_error","code":404}}`))
	m.fwd.Health = &upstream.Health{}
	for range 5 {
		out, _ := m.call(t, upstream.APIResponses, false)
		require.Equal(t, m.good.ID, out.Answered.ID)
	}
	assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "it still answers Chat Completions")
	out, rec := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, m.bad.ID, out.Answered.ID, "%s", rec.Body.String())
}

// On Chat Completions the same 404 says the base URL is wrong, which the
// operator fixes: the client's call still fails over.
func TestLlamaCppsRouteNotFoundOnChatCompletionsFailsOver(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusNotFound, "application/json; charset=utf-8",
		`{"error":{"message":"File Not Found","type":"not_found_error","code":404}}`))
	out, rec := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, m.good.ID, out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
}

// When no model of the call has the Responses API, the call cannot be
// answered however often it is sent: the 502 says so, and is final, so
// the client's SDK does not send it again.
func TestAResponsesCallNoModelsServerTakesIsAFinal502SayingSo(t *testing.T) {
	for _, tc := range missingRoutes {
		t.Run(tc.server, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, routeNotFound(tc.contentType, tc.body))
			out, _ := m.call(t, upstream.APIResponses, false, m.bad)
			assert.Equal(t, http.StatusBadGateway, out.Status)
			var re *router.Error
			require.ErrorAs(t, out.Err, &re)
			assert.True(t, re.Final, "not worth a retry")
			assert.Contains(t, re.Message, "none of the models this call could go to serves the Responses API at its base URL")
			assert.Contains(t, re.Message, m.bad.ID, "each model tried is named")
		})
	}
}

// A model that failed otherwise may answer the next time: the 502 is the
// usual one, which clients retry.
func TestAResponsesCallWithAnotherFailureBesideAMissingRouteIsTheUsual502(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, routeNotFound("", ""))
	m.good.Provider = "down"
	m.fwd.ByName["down"] = upstream.Provider{Name: "down", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:1", APIKey: "sk-down"}
	out, _ := m.call(t, upstream.APIResponses, false)
	assert.Equal(t, http.StatusBadGateway, out.Status)
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.False(t, re.Final)
	assert.Contains(t, re.Message, "every upstream model failed")
}
