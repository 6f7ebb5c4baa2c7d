package server

// A server of one's own (llama.cpp, vLLM, TGI) started with a smaller
// context window than the catalog's refuses a prompt routing let through.
// When no model is left to fail over to, the client gets what the gateway
// answers a prompt no catalog window holds, in its own API's shape: 400
// context_length_exceeded, which clients match to trim and retry, and not
// the server's own shape and status, which they do not know.

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestTheLastModelsServerRefusingThePromptAsTooLongIsContextLengthExceeded(t *testing.T) {
	refusals := []struct {
		server, body, message string
		status                int
	}{
		{"llama.cpp", `{"error":{"code":400,"message":"request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":9412,"n_ctx":8192}}`,
			"request (9412 tokens) exceeds the available context size (8192 tokens), try increasing it", http.StatusBadRequest},
		{"TGI", `{"error":"Input validation error: ` + "`inputs` tokens + `max_new_tokens`" + ` must be <= 4096. Given: 4000 ` + "`inputs`" + ` tokens and 500 ` + "`max_new_tokens`" + `","error_type":"validation"}`,
			"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 500 `max_new_tokens`", http.StatusUnprocessableEntity},
	}
	calls := []struct{ path, body, param string }{
		{"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`, "messages"},
		{"/v1/responses", `{"model":"model-router","input":"hi","routing_config":{"models":["mini"]}}`, "input"},
		{"/v1/messages", `{"model":"model-router","max_tokens":50,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`, ""},
	}
	e := newE2E(t)
	for _, r := range refusals {
		e.openai.Set("mini", upstreamtest.Behavior{FailStatus: r.status, FailBody: r.body})
		for _, c := range calls {
			t.Run(r.server+" "+c.path, func(t *testing.T) {
				st, h, body := postRaw(t, e, http.MethodPost, c.path, c.body)
				require.Equal(t, http.StatusBadRequest, st, "%s", body)
				assert.Equal(t, "mini", h.Get("x-modelrouter-model"), "which model refused")
				if c.param == "" {
					// Anthropic's shape, as the gateway's own context refusal on Messages.
					var got struct {
						Type  string `json:"type"`
						Error struct{ Type, Message, Code string }
					}
					require.NoError(t, json.Unmarshal(body, &got), "%s", body)
					assert.Equal(t, "error", got.Type)
					assert.Equal(t, "invalid_request_error", got.Error.Type)
					assert.Equal(t, "context_length_exceeded", got.Error.Code)
					assert.Equal(t, r.message, got.Error.Message)
					return
				}
				we := errorOf(t, body)
				if assert.NotNil(t, we.Error.Code, "%s", body) {
					assert.Equal(t, "context_length_exceeded", *we.Error.Code)
				}
				if assert.NotNil(t, we.Error.Param, "%s", body) {
					assert.Equal(t, c.param, *we.Error.Param)
				}
				assert.Equal(t, "invalid_request_error", we.Error.Type)
				assert.Equal(t, r.message, we.Error.Message, "the server's own words")
			})
		}
	}
}
