package server

// A member of the wrong type that only a translation reads (the checks
// before routing leave it to the provider's API) is the client's 400 naming
// the member and the type it takes, as the gateway's own checks word it,
// with no Go type names in the message.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onlyClaude is a routing_config that leaves Claude the one model.
var onlyClaude = option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})

// assertNamesField checks an SDK error: a 400 whose param is field and
// whose message says what it must be, in words, not Go's.
func assertNamesField(t *testing.T, err error, field, message string) {
	t.Helper()
	var apiErr *openai.Error
	require.True(t, errors.As(err, &apiErr), "want an API error, got %v", err)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, field, apiErr.Param)
	assert.Contains(t, apiErr.Message, message)
	assert.NotContains(t, apiErr.Message, "Go struct")
	assert.NotContains(t, apiErr.Message, "unmarshal")
}

func TestChatParameterOfTheWrongTypeForClaudeIsNamedWithItsType(t *testing.T) {
	for _, tt := range []struct {
		field, message string
		value          any
	}{
		{"temperature", "temperature must be a number", "hot"},
		{"parallel_tool_calls", "parallel_tool_calls must be true or false", "no"},
		{"n", "n must be an integer", "2"},
		// Checked before routing, as before: named the same way.
		{"max_tokens", "max_tokens must be a positive integer", "10"},
		{"stream", "stream must be true or false", map[string]any{}},
	} {
		t.Run(tt.field, func(t *testing.T) {
			e := newE2E(t)
			client := e.clients()["v1"]
			_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
				Model:    "model-router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")},
			}, onlyClaude, option.WithJSONSet(tt.field, tt.value))
			assertNamesField(t, err, tt.field, tt.message)
			assert.Empty(t, e.anthropic.Requests())
		})
	}
}

func TestResponsesParameterOfTheWrongTypeForClaudeIsNamedWithItsType(t *testing.T) {
	for _, tt := range []struct {
		field, message string
		value          any
	}{
		{"temperature", "temperature must be a number", "hot"},
		{"parallel_tool_calls", "parallel_tool_calls must be true or false", "no"},
		{"max_output_tokens", "max_output_tokens must be a positive integer", "10"},
		{"stream", "stream must be true or false", map[string]any{}},
	} {
		t.Run(tt.field, func(t *testing.T) {
			e := newE2E(t)
			client := e.clients()["v1"]
			_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
				Model: "model-router",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hello")},
			}, onlyClaude, option.WithJSONSet(tt.field, tt.value))
			assertNamesField(t, err, tt.field, tt.message)
			assert.Empty(t, e.anthropic.Requests())
		})
	}
}

// A nested member is named by its path (array indices aside, which the
// decoder does not report).
func TestNestedMemberOfTheWrongTypeForClaudeIsNamedByItsPath(t *testing.T) {
	for name, tt := range map[string]struct{ path, body, param, message string }{
		"chat tool description": {"/v1/chat/completions",
			`{"model":"model-router","routing_config":{"models":["claude"]},
			"tools":[{"type":"function","function":{"name":"lookup","description":5}}],
			"messages":[{"role":"user","content":"Hello"}]}`,
			"tools.function.description", "tools.function.description must be a string"},
		"chat tool_call_id": {"/v1/chat/completions",
			`{"model":"model-router","routing_config":{"models":["claude"]},
			"messages":[{"role":"user","content":"Weather?"},
				{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]},
				{"role":"tool","tool_call_id":1,"content":"sunny"}]}`,
			"messages.tool_call_id", "messages.tool_call_id must be a string"},
		"responses tool description": {"/v1/responses",
			`{"model":"model-router","routing_config":{"models":["claude"]},
			"tools":[{"type":"function","name":"lookup","description":5}],"input":"Hello"}`,
			"tools.description", "tools.description must be a string"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, tt.path, tt.body)
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			werr := errorOf(t, body)
			require.NotNil(t, werr.Error.Param, "%s", body)
			assert.Equal(t, tt.param, *werr.Error.Param)
			assert.Contains(t, werr.Error.Message, tt.message)
			assert.NotContains(t, werr.Error.Message, "Go struct")
			assert.Empty(t, e.anthropic.Requests())
		})
	}
}

// On the Messages API, answered by an OpenAI model through the translation
// to Chat Completions, the error has Anthropic's shape, which has no param:
// the message names the member.
func TestMessagesParameterOfTheWrongTypeForAnOpenAIModelIsNamedWithItsType(t *testing.T) {
	const head = `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"Hello"}],`
	for name, tt := range map[string]struct{ body, message string }{
		"max_tokens":  {head + `"max_tokens":"10"}`, "max_tokens must be a positive integer"},
		"stream":      {head + `"max_tokens":10,"stream":{}}`, "stream must be true or false"},
		"temperature": {head + `"max_tokens":10,"temperature":"hot"}`, "temperature must be a number"},
		"tool description": {head + `"max_tokens":10,"tools":[{"name":"lookup","description":5,"input_schema":{"type":"object"}}]}`,
			"tools.description must be a string"},
		"disable_parallel_tool_use": {head + `"max_tokens":10,"tools":[{"name":"lookup","input_schema":{"type":"object"}}],
			"tool_choice":{"type":"auto","disable_parallel_tool_use":"yes"}}`,
			"tool_choice.disable_parallel_tool_use must be true or false"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, body := postRaw(t, e, http.MethodPost, "/v1/messages", tt.body)
			require.Equal(t, http.StatusBadRequest, status, "%s", body)
			assert.Equal(t, "error", errorShapeOf(t, body).Type, "Anthropic's error shape: %s", body)
			var got struct {
				Error struct {
					Message string `json:"message"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(body, &got))
			assert.Contains(t, got.Error.Message, tt.message)
			assert.NotContains(t, got.Error.Message, "Go struct")
			assert.Empty(t, e.openai.Requests())
		})
	}
}
