package server

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude reports the part of its output it spent thinking as
// usage.output_tokens_details.thinking_tokens. The decision log's
// reasoning_tokens (what refits the catalog's hidden reasoning tokens) must
// hold them, streamed or not, as it holds OpenAI's reasoning_tokens.
func TestClaudesThinkingTokensAreLoggedAsReasoningTokens(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{Thinking: "Let me see.", ReasoningTokens: 7})
	client := e.anthropicClients(onlyModels("claude"))["v1"]
	params := helloParams("Why is the sky blue?")
	params.MaxTokens = 2048
	params.Thinking = anthropic.ThinkingConfigParamOfEnabled(1024)

	msg, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.EqualValues(t, 7, msg.Usage.OutputTokensDetails.ThinkingTokens, "Claude's answer is passed on as it came")

	stream := client.Messages.NewStreaming(context.Background(), params)
	for stream.Next() {
	}
	require.NoError(t, stream.Err())

	for _, r := range e.log.waitFor(t, 2) {
		require.Equal(t, "claude", r.Answered)
		assert.Equal(t, 7, r.Usage.ReasoningTokens, "stream=%t", r.Stream)
		assert.Greater(t, r.Usage.CompletionTokens, 7, "thinking is part of the output")
	}
}

// A Chat Completions or Responses client answered by Claude reads the
// tokens Claude spent thinking where OpenAI reports reasoning tokens.
func TestClaudesThinkingTokensReachOpenAIClientsAsReasoningTokens(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{Thinking: "Let me see.", ReasoningTokens: 7})
	client := e.clients()["v1"]
	onlyClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})

	chat := openai.ChatCompletionNewParams{
		Model:         "model-router",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Why is the sky blue?")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	whole, err := client.Chat.Completions.New(context.Background(), chat, onlyClaude)
	require.NoError(t, err)
	assert.EqualValues(t, 7, whole.Usage.CompletionTokensDetails.ReasoningTokens)

	stream := client.Chat.Completions.NewStreaming(context.Background(), chat, onlyClaude)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	assert.EqualValues(t, 7, acc.Usage.CompletionTokensDetails.ReasoningTokens)

	resp := responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Why is the sky blue?")},
		Store: openai.Bool(false),
	}
	answer, err := client.Responses.New(context.Background(), resp, onlyClaude)
	require.NoError(t, err)
	assert.EqualValues(t, 7, answer.Usage.OutputTokensDetails.ReasoningTokens)

	rstream := client.Responses.NewStreaming(context.Background(), resp, onlyClaude)
	var completed *responses.Response
	for rstream.Next() {
		if ev := rstream.Current(); ev.Type == "response.completed" {
			r := ev.Response
			completed = &r
		}
	}
	require.NoError(t, rstream.Err())
	require.NotNil(t, completed)
	assert.EqualValues(t, 7, completed.Usage.OutputTokensDetails.ReasoningTokens)
}

// The other way round: a Messages client answered by an OpenAI-compatible
// model reads its reasoning tokens where Anthropic reports thinking,
// streamed or not.
func TestOpenAIReasoningTokensReachMessagesClientsAsThinkingTokens(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{ReasoningTokens: 7})
	client := e.anthropicClients(onlyModels("mini"))["v1"]
	params := helloParams("Why is the sky blue?")

	msg, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.EqualValues(t, 7, msg.Usage.OutputTokensDetails.ThinkingTokens)

	stream := client.Messages.NewStreaming(context.Background(), params)
	acc := anthropic.Message{}
	for stream.Next() {
		require.NoError(t, acc.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.EqualValues(t, 7, acc.Usage.OutputTokensDetails.ThinkingTokens)
	assert.Greater(t, acc.Usage.OutputTokens, int64(7), "thinking is part of the output")
}
