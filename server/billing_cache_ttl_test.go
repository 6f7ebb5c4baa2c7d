package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude bills the prompt it writes to its 1-hour cache (cache_control
// ttl "1h") at twice its input price, above the 1.25x of its 5-minute
// writes, and splits its writes in usage.cache_creation. The decision log
// and the key's budget bill each part at its price on every path to
// Claude: Messages passed through and Chat Completions and Responses
// translated, streamed (where only message_start has the split) or not.
func TestClaudesOneHourCacheWritesAreBilledAtTheirPrice(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) { c.Budgets = spent })
	// 2,000 written: 500 for 5 minutes, 1,500 for an hour.
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Paris is the capital.", CacheWriteTokens: 2000, CacheWrite1hTokens: 1500})
	askClaudeOnEveryPath(t, e, true)

	// 6 words: the fake's input_tokens; the reply's 4 words its output.
	want := (6*3 + 500*3.75 + 1500*6 + 4*15) / 1e6
	records := e.log.waitFor(t, 6)
	total := 0.0
	for _, r := range records {
		require.Equal(t, "claude", r.Answered, "%s stream=%t", r.API, r.Stream)
		assert.Equal(t, router.Usage{PromptTokens: 2006, CompletionTokens: 4, CacheWriteTokens: 2000, CacheWrite1hTokens: 1500}, r.Usage,
			"%s stream=%t", r.API, r.Stream)
		assert.InDelta(t, want, r.CostUSD, 1e-12, "%s stream=%t: not the $0.007578 of every write at the 5-minute price", r.API, r.Stream)
		total += r.CostUSD
	}
	assert.InDelta(t, total, spent.total(), 1e-12, "the key's budget is spent what the log says the calls cost")
}

// askClaudeOnEveryPath asks model claude the same question, plain and
// streamed, through the Messages API (passed through) and Chat
// Completions, and with responses through the Responses API too
// (translated), so a billing test sees every path's usage in the log.
func askClaudeOnEveryPath(t *testing.T, e *e2e, responses bool) {
	t.Helper()
	ctx := context.Background()
	messages := e.anthropicClients(onlyModels("claude"))["v1"]
	params := helloParams("What is the capital of France?")
	_, err := messages.Messages.New(ctx, params)
	require.NoError(t, err)
	stream := messages.Messages.NewStreaming(ctx, params)
	for stream.Next() {
	}
	require.NoError(t, stream.Err())

	client := e.clients()["v1"]
	chat := openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
	}
	_, err = client.Chat.Completions.New(ctx, chat, onModel("claude"))
	require.NoError(t, err)
	chatStream := client.Chat.Completions.NewStreaming(ctx, chat, onModel("claude"))
	for chatStream.Next() {
	}
	require.NoError(t, chatStream.Err())
	if !responses {
		return
	}
	_, err = client.Responses.New(ctx, ask("What is the capital of France?"), onModel("claude"))
	require.NoError(t, err)
	respStream := client.Responses.NewStreaming(ctx, ask("What is the capital of France?"), onModel("claude"))
	for respStream.Next() {
	}
	require.NoError(t, respStream.Err())
}
