package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude streams the input of a call to a tool that takes no parameters as
// an empty partial_json. A Chat Completions client parses a call's
// arguments as a JSON object, so such a call must reach it as "{}", as it
// does when the answer is not streamed, not as "".
func TestAClaudeCallOfAToolWithoutParametersHasObjectArgumentsWhenStreamed(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{ID: "toolu_now", Name: "current_time"}})
	client := e.clients()["v1"]
	params := openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What time is it?")},
		Tools:    []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "current_time"})},
	}
	onlyClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})

	whole, err := client.Chat.Completions.New(context.Background(), params, onlyClaude)
	require.NoError(t, err)
	require.Len(t, whole.Choices, 1)
	require.Len(t, whole.Choices[0].Message.ToolCalls, 1)
	assert.Equal(t, "{}", whole.Choices[0].Message.ToolCalls[0].Function.Arguments)

	stream := client.Chat.Completions.NewStreaming(context.Background(), params, onlyClaude)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	require.Len(t, acc.Choices, 1)
	calls := acc.Choices[0].Message.ToolCalls
	require.Len(t, calls, 1)
	assert.Equal(t, "current_time", calls[0].Function.Name)
	assert.Equal(t, "tool_calls", acc.Choices[0].FinishReason)
	var args map[string]any
	require.NoError(t, json.Unmarshal([]byte(calls[0].Function.Arguments), &args),
		"the streamed call's arguments %q are no JSON object", calls[0].Function.Arguments)
	assert.Empty(t, args)
}
