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

// A call whose prompt the provider read from its cache costs what the
// provider bills, in the decision log and against the key's budget:
// Claude's cache reads at a tenth of its input price and its cache writes
// a quarter above it, OpenAI's cached tokens at its cached price; a model
// without cache prices bills them as input.
func TestCachedPromptTokensAreBilledAtCachePrices(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) { c.Budgets = spent })
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Paris is the capital.", CachedTokens: 9000, CacheWriteTokens: 1000})
	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", CachedTokens: 4})
	e.openai.Set("mini", upstreamtest.Behavior{Reply: "Paris is the capital.", CachedTokens: 4})
	client := e.clients()["v1"]
	ctx := context.Background()
	// 6 words: the fakes' prompt tokens; the reply's 4 words its output.
	question := openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
	}

	// Claude reports its cache in message_start, its output at the end.
	stream := client.Chat.Completions.NewStreaming(ctx, question, onModel("claude"))
	for stream.Next() {
	}
	require.NoError(t, stream.Err())
	_, err := client.Chat.Completions.New(ctx, question, onModel("large"))
	require.NoError(t, err)
	_, err = client.Chat.Completions.New(ctx, question, onModel("mini"))
	require.NoError(t, err)

	byModel := map[string]router.Record{}
	for _, r := range e.log.waitFor(t, 3) {
		byModel[r.Answered] = r
	}
	claude, large, mini := byModel["claude"], byModel["large"], byModel["mini"]
	// Anthropic's input_tokens leave out cache reads and writes; the log
	// counts them in the prompt, as OpenAI does.
	require.Equal(t, router.Usage{PromptTokens: 10_006, CompletionTokens: 4, CachedTokens: 9000, CacheWriteTokens: 1000}, claude.Usage)
	assert.InDelta(t, (6*3+9000*0.3+1000*3.75+4*15)/1e6, claude.CostUSD, 1e-12,
		"not the 0.030078 USD of 10,006 prompt tokens at the input price")
	require.Equal(t, router.Usage{PromptTokens: 6, CompletionTokens: 4, CachedTokens: 4}, large.Usage)
	assert.InDelta(t, (2*2+4*0.5+4*8)/1e6, large.CostUSD, 1e-12)
	require.Equal(t, 4, mini.Usage.CachedTokens)
	assert.InDelta(t, (6*0.4+4*1.6)/1e6, mini.CostUSD, 1e-12, "no cache price: cached tokens at the input price")

	assert.InDelta(t, claude.CostUSD+large.CostUSD+mini.CostUSD, spent.total(), 1e-12,
		"the key's budget is spent what the log says the calls cost")
}
