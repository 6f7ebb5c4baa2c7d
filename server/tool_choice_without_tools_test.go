package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Every model a call may use: Claude through a translation, the others as
// sent, so the refusal cannot depend on which one the router picks.
const anyModel = `"routing_config":{"models":["claude","mini"]}`

// assertRefusedBeforeRouting checks that a call no provider saw was
// logged as the client's 400.
func assertRefusedBeforeRouting(t *testing.T, e *e2e) {
	t.Helper()
	assert.Empty(t, e.openai.Requests(), "no OpenAI call")
	assert.Empty(t, e.anthropic.Requests(), "no Anthropic call")
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, http.StatusBadRequest, rec.Status)
	assert.Equal(t, router.EInvalid, rec.ErrorCode)
}

// OpenAI refuses a Chat Completions tool_choice, "none" and "auto"
// included, on a call without tools.
func TestChatToolChoiceWithoutToolsIsRefusedBeforeRouting(t *testing.T) {
	for name, extra := range map[string]string{
		"required":           `"tool_choice":"required"`,
		"auto":               `"tool_choice":"auto"`,
		"none":               `"tool_choice":"none"`,
		"a named function":   `"tool_choice":{"type":"function","function":{"name":"lookup"}}`,
		"with an empty list": `"tool_choice":"required","tools":[]`,
	} {
		t.Run(name, func(t *testing.T) {
			assertChatRefusedWithoutTools(t, extra, "tool_choice")
		})
	}
}

func TestChatToolChoiceWithToolsOrNullIsRouted(t *testing.T) {
	for name, extra := range map[string]string{
		"with tools": `"tool_choice":"auto","tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]`,
		"null":       `"tool_choice":null`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
				`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],`+anyModel+`,`+extra+`}`)
			assert.Equal(t, http.StatusOK, status, "%s", body)
		})
	}
}

// OpenAI's Responses API takes "none" and "auto" without tools and
// refuses a choice that needs one.
func TestResponsesToolChoiceThatNeedsToolsIsRefusedWithoutThem(t *testing.T) {
	for name, tt := range map[string]struct{ extra, message string }{
		"required":         {`"tool_choice":"required"`, "Tool choice 'required' must be specified with 'tools' parameter"},
		"a named function": {`"tool_choice":{"type":"function","name":"lookup"}`, "Tool choice 'function' not found in 'tools' parameter"},
		"an empty list":    {`"tool_choice":"required","tools":[]`, "Tool choice 'required'"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, "/v1/responses",
				`{"model":"model-router","input":"Hi",`+anyModel+`,`+tt.extra+`}`)
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			we := errorOf(t, body)
			require.NotNil(t, we.Error.Param)
			assert.Equal(t, "tool_choice", *we.Error.Param)
			assert.Contains(t, we.Error.Message, tt.message)
			assertRefusedBeforeRouting(t, e)
		})
	}
}

func TestResponsesToolChoiceNoneOrAutoWithoutToolsIsAnswered(t *testing.T) {
	for _, choice := range []string{"none", "auto"} {
		for _, model := range []string{"claude", "mini"} {
			t.Run(choice+" on "+model, func(t *testing.T) {
				e := newE2E(t)
				status, _, body := postRaw(t, e, http.MethodPost, "/v1/responses",
					`{"model":"model-router","input":"Hi","routing_config":{"models":["`+model+`"]},"tool_choice":"`+choice+`"}`)
				require.Equal(t, http.StatusOK, status, "%s", body)
				var got struct {
					Model string `json:"model"`
				}
				require.NoError(t, json.Unmarshal(body, &got))
				assert.Equal(t, model, got.Model)
			})
		}
	}
}

// Anthropic refuses a tool_choice other than {"type": "none"} on a call
// without tools.
func TestMessagesToolChoiceWithoutToolsIsRefusedBeforeRouting(t *testing.T) {
	for _, choice := range []string{`{"type":"any"}`, `{"type":"tool","name":"lookup"}`} {
		t.Run(choice, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, "/v1/messages",
				`{"model":"model-router","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],`+anyModel+`,"tool_choice":`+choice+`}`)
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			var got struct {
				Type  string `json:"type"`
				Error struct {
					Type    string `json:"type"`
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(body, &got), "%s", body)
			assert.Equal(t, "error", got.Type, "Anthropic's error shape: %s", body)
			assert.Equal(t, "invalid_request_error", got.Error.Type)
			assert.Contains(t, got.Error.Message, "tool_choice may only be specified while providing tools")
			assertRefusedBeforeRouting(t, e)
		})
	}
}

// Anthropic takes {"type": "none"} without tools (its tool use docs price
// that call at no tool use system prompt tokens): Claude gets it as sent,
// and an OpenAI model, whose API refuses any tool_choice without tools,
// gets the call without it.
func TestMessagesToolChoiceNoneWithoutToolsIsAnswered(t *testing.T) {
	for _, model := range []string{"claude", "mini"} {
		t.Run(model, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, "/v1/messages",
				`{"model":"model-router","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],"routing_config":{"models":["`+model+`"]},"tool_choice":{"type":"none"}}`)
			require.Equal(t, http.StatusOK, status, "%s", body)
			var got struct {
				Model string `json:"model"`
			}
			require.NoError(t, json.Unmarshal(body, &got))
			assert.Equal(t, model, got.Model)

			var sent []byte
			if model == "claude" {
				require.Len(t, e.anthropic.Requests(), 1)
				sent = e.anthropic.Requests()[0].Body
			} else {
				require.Len(t, e.openai.Requests(), 1)
				sent = e.openai.Requests()[0].Body
			}
			var req map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(sent, &req))
			if model == "claude" {
				assert.JSONEq(t, `{"type":"none"}`, string(req["tool_choice"]))
			} else {
				assert.NotContains(t, req, "tool_choice")
			}
		})
	}
}

// OpenAI refuses a Chat Completions parallel_tool_calls, false included, on
// a call without tools, as it refuses a tool_choice there.
func TestChatParallelToolCallsWithoutToolsIsRefusedBeforeRouting(t *testing.T) {
	for name, extra := range map[string]string{
		"true":               `"parallel_tool_calls":true`,
		"false":              `"parallel_tool_calls":false`,
		"with an empty list": `"parallel_tool_calls":false,"tools":[]`,
	} {
		t.Run(name, func(t *testing.T) {
			assertChatRefusedWithoutTools(t, extra, "parallel_tool_calls")
		})
	}
}

// With tools, legacy functions, or null, parallel_tool_calls is routed;
// on Responses, which takes it without tools, too.
func TestParallelToolCallsWithToolsOrOnResponsesIsRouted(t *testing.T) {
	for name, tt := range map[string]struct{ path, body string }{
		"chat with tools": {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"Hi"}],` + anyModel +
			`,"parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]}`},
		"chat with functions": {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"Hi"}],` + anyModel +
			`,"parallel_tool_calls":false,"functions":[{"name":"lookup","parameters":{"type":"object"}}]}`},
		"chat null": {"/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"Hi"}],` + anyModel +
			`,"parallel_tool_calls":null}`},
		"responses without tools": {"/v1/responses", `{"model":"model-router","input":"Hi",` + anyModel + `,"parallel_tool_calls":false}`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, tt.path, tt.body)
			assert.Equal(t, http.StatusOK, status, "%s", body)
		})
	}
}

// assertChatRefusedWithoutTools posts a Chat Completions call with the
// members extra and asserts OpenAI's 400 naming param, which is only
// allowed with tools, and that no model was asked.
func assertChatRefusedWithoutTools(t *testing.T, extra, param string) {
	t.Helper()
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"Hi"}],`+anyModel+`,`+extra+`}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	we := errorOf(t, body)
	assert.Equal(t, "invalid_request_error", we.Error.Type)
	require.NotNil(t, we.Error.Param)
	assert.Equal(t, param, *we.Error.Param)
	assert.Contains(t, we.Error.Message, "'"+param+"' is only allowed when 'tools' are specified")
	assertRefusedBeforeRouting(t, e)
}
