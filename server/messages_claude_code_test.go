package server

// What a Claude Code / anthropic-sdk-go user sends to the Messages API and
// expects back.

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// anthropicRequiresThinkingFirst applies Anthropic's rule for extended
// thinking in a tool loop: with thinking enabled, when the conversation ends
// in tool results, the assistant turn that made those calls must start with
// a thinking (or redacted_thinking) block. The real API answers 400
// invalid_request_error otherwise ("messages.N.content.0.type: Expected
// `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is
// enabled, a final `assistant` message must start with a thinking block
// (preceeding the lastmost set of `tool_use` and `tool_result` blocks)...").
// It returns "" when body is a request Anthropic accepts on this count.
func anthropicRequiresThinkingFirst(t *testing.T, body []byte) string {
	t.Helper()
	var req struct {
		Thinking *struct {
			Type string `json:"type"`
		} `json:"thinking"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(body, &req))
	if req.Thinking == nil || req.Thinking.Type != "enabled" {
		return ""
	}
	for i := len(req.Messages) - 1; i >= 0; i-- {
		m := req.Messages[i]
		if m.Role != "assistant" {
			continue
		}
		var blocks []struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(m.Content, &blocks) != nil || len(blocks) == 0 {
			return ""
		}
		hasToolUse := false
		for _, b := range blocks {
			hasToolUse = hasToolUse || b.Type == "tool_use"
		}
		if hasToolUse && blocks[0].Type != "thinking" && blocks[0].Type != "redacted_thinking" {
			return "thinking is enabled but the final assistant turn of the tool loop starts with " + blocks[0].Type
		}
		return ""
	}
	return ""
}

// A Claude Code style agent loop with extended thinking on. Turn 1 is
// answered by an OpenAI model (a tool call, no thinking block: it has none
// to give). Turn 2 sends the tool result; the OpenAI model is down (503), so
// the gateway fails over to Claude. Anthropic would refuse that body with
// thinking still enabled (a 400, not failed over), so Claude gets it with
// thinking off for this turn.
func TestThinkingToolLoopThatFailsOverToClaudeIsOneClaudeAccepts(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}})
	client := e.anthropicClients(onlyModels("mini", "claude"))["v1"]

	params := helloParams("Weather in Paris?")
	params.MaxTokens = 8000
	params.Thinking = anthropic.ThinkingConfigParamOfEnabled(2048)
	params.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
		Name: "get_weather", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}},
	}}}
	first, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	require.Equal(t, "mini", string(first.Model))
	require.Equal(t, anthropic.StopReasonToolUse, first.StopReason)
	var callID string
	for _, b := range first.Content {
		if b.Type == "tool_use" {
			callID = b.ID
		}
	}
	require.NotEmpty(t, callID)

	// Turn 2: the tool's result; the OpenAI model is now failing.
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	params.Messages = append(params.Messages, first.ToParam(),
		anthropic.NewUserMessage(anthropic.NewToolResultBlock(callID, "sunny, 21C", false)))
	second, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	require.Equal(t, "claude", string(second.Model), "failed over to Claude")

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	assert.Empty(t, anthropicRequiresThinkingFirst(t, reqs[0].Body),
		"Claude was sent a body the real Messages API refuses with 400: %s", reqs[0].Body)
}

// A final assistant turn is Anthropic's prefill: Claude continues that
// text, and clients prepend the prefill to the answer (e.g. "{" to force
// JSON). An OpenAI-format model would answer afresh ("{{..."), so only
// Claude takes it.
func TestAssistantPrefillIsNotSentToAModelThatCannotContinueIt(t *testing.T) {
	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":100,
		"messages":[{"role":"user","content":"Give me a JSON object with a key a"},{"role":"assistant","content":"{"}]}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	for _, r := range e.openai.Requests() {
		assert.NotEqual(t, "assistant", lastRole(t, r.Body),
			"an OpenAI model was sent the prefill as a trailing assistant message, which it answers afresh rather than continues: %s", r.Body)
	}
	assert.Equal(t, "claude", out["model"], "only Claude can continue a prefill")
}

// count_tokens, as Anthropic's, requires `model` (400) and answers 404 for
// a name /v1/messages would answer 404 for, so a misconfigured client
// learns it at its first count.
func TestCountTokensChecksItsModel(t *testing.T) {
	e := newE2E(t)
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages/count_tokens",
		`{"messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusBadRequest, status, "no model: %v", out)

	status, out = postMessages(t, e, http.MethodPost, "/v1/messages/count_tokens",
		`{"model":"claude-3-5-haiku-latest","messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusNotFound, status, "a model /v1/messages answers 404 for: %v", out)

	// The same model on /v1/messages:
	status, _ = postMessages(t, e, http.MethodPost, "/v1/messages",
		`{"model":"claude-3-5-haiku-latest","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusNotFound, status)
}

// A Messages call may name a model a deployment lists (it pins the call),
// and anthropic-sdk-go's Models.Get for the same id agrees.
func TestModelsGetAgreesWithMessages(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["v1"]
	p := helloParams("hi")
	p.Model = "claude"
	msg, err := client.Messages.New(context.Background(), p)
	require.NoError(t, err, "a Messages call may name an underlying model")
	require.Equal(t, "claude", string(msg.Model))

	_, err = client.Models.Get(context.Background(), "claude", anthropic.ModelGetParams{})
	assert.NoError(t, err, "Models.Get denies the model Messages.New just used")
}
