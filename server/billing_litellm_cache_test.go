package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude behind LiteLLM answers in Chat Completions' shape, with
// Anthropic's cache_read_input_tokens and cache_creation_input_tokens
// beside a prompt_tokens that already counts them. The decision log counts
// each prompt token once, and bills the cache writes at the model's
// cache-write price and the reads at its cached price, streamed or not; the
// key's budget is spent the same.
func TestClaudeBehindLiteLLMCountsItsCacheOnce(t *testing.T) {
	spent := &spendRecorder{}
	litellm := upstreamtest.NewOpenAI(t)
	e := newE2E(t, func(c *Config) {
		c.Budgets = spent
		ps := c.Forwarder.(*upstream.Forwarder).Providers
		ps.ByName["litellm"] = upstream.Provider{Name: "litellm", Kind: upstream.KindOpenAI, BaseURL: litellm.URL, APIKey: "sk-upstream-litellm"}
		c.Forwarder = &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second}
		c.Supports, c.Available = ps.Supports, ps.Available
		cat := testCatalog()
		sonnet := testModel("sonnet", "litellm", "Anthropic", 3, 15, allCaps)
		sonnet.CachedInputPerMTok, sonnet.CacheWritePerMTok = 0.3, 3.75
		cat.Versions[0].Models = append(cat.Versions[0].Models, sonnet)
		pred := testPrediction()
		pred["sonnet"] = router.Estimate{Quality: 0.9, OutputTokens: 100}
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	// 30 words: the fake's prompt_tokens, 12 of them read from the cache
	// and 10 written to it; the reply's 4 words its output.
	litellm.Set("sonnet", upstreamtest.Behavior{Reply: "Paris is the capital.", CachedTokens: 12, CacheWriteTokens: 10})
	client := e.clients()["v1"]
	ctx := context.Background()
	question := openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(strings.TrimSpace(strings.Repeat("clause ", 30)))},
	}

	_, err := client.Chat.Completions.New(ctx, question, onModel("sonnet"))
	require.NoError(t, err)
	stream := client.Chat.Completions.NewStreaming(ctx, question, onModel("sonnet"))
	for stream.Next() {
	}
	require.NoError(t, stream.Err())

	want := (8*3 + 12*0.3 + 10*3.75 + 4*15) / 1e6
	records := e.log.waitFor(t, 2)
	for _, r := range records {
		require.Equal(t, "sonnet", r.Answered)
		assert.Equal(t, router.Usage{PromptTokens: 30, CompletionTokens: 4, CachedTokens: 12, CacheWriteTokens: 10}, r.Usage,
			"not 52 prompt tokens with 24 cached: the cache counted again beside prompt_tokens")
		assert.InDelta(t, want, r.CostUSD, 1e-12)
	}
	assert.InDelta(t, 2*want, spent.total(), 1e-12, "the key's budget is spent what the log says the calls cost")
}
