package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A priority call whose prompt is longer than large's priority tier
// serves (here a 5-token limit, as gpt-4.1's is 128K): an answer that
// says it was served at priority cost the priority prices, as OpenAI
// bills the tier its answer names (it decides by its own estimate of the
// prompt, which the gateway's count need not match), while a stream that
// named no tier and reported no usage is billed its estimate at the
// standard prices, the tier such a prompt is served at.
func TestALongPromptIsBilledAtTheTierItsAnswerNamesOrElseAtTheStandardTier(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		cat := testCatalog()
		large := &cat.Versions[0].Models[0]
		require.Equal(t, "large", large.ID)
		priority := large.ServiceTiers["priority"]
		priority.MaxInputTokens = 5
		large.ServiceTiers["priority"] = priority
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	client := e.clients()["v1"]
	chat := openai.ChatCompletionNewParams{
		Model:       "model-router",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France, the country in western Europe?")},
		ServiceTier: openai.ChatCompletionNewParamsServiceTierPriority,
	}

	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", ServiceTier: "priority"})
	_, err := client.Chat.Completions.New(context.Background(), chat, onModel("large"))
	require.NoError(t, err)
	r := e.log.waitFor(t, 1)[0]
	require.Greater(t, r.Usage.PromptTokens, 5)
	assert.InDelta(t, (float64(r.Usage.PromptTokens)*4+float64(r.Usage.CompletionTokens)*16)/1e6, r.CostUSD, 1e-12,
		"the answer says priority served it: the priority prices")

	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", NoStreamUsage: true})
	stream := client.Chat.Completions.NewStreaming(context.Background(), chat, onModel("large"))
	for stream.Next() {
	}
	require.NoError(t, stream.Err())
	r = e.log.waitFor(t, 2)[1]
	require.True(t, r.UsageEstimated, "the stream reported no usage")
	assert.InDelta(t, (float64(r.Usage.PromptTokens)*2+float64(r.Usage.CompletionTokens)*8)/1e6, r.CostUSD, 1e-12,
		"no tier named: the standard prices, the tier a prompt that long is served at")
}
