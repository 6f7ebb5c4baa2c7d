package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// An answer OpenAI says it served at its priority tier (about twice the
// standard price) or its flex tier (about half) costs that tier's prices
// in the decision log and against the key's budget, on either API,
// streamed or not; one asked for at priority but served at the standard
// tier, as OpenAI may do, costs the standard prices.
func TestAnAnswerServedAtAServiceTierIsBilledAtItsPrices(t *testing.T) {
	// large: 2 in / 8 out per million; flex 1 / 4; priority 4 / 16.
	tests := []struct {
		served  string
		in, out float64
	}{
		{"priority", 4, 16},
		{"flex", 1, 4},
		{"default", 2, 8},
	}
	for _, tt := range tests {
		t.Run(tt.served, func(t *testing.T) {
			spent := &spendRecorder{}
			e := newE2E(t, func(c *Config) { c.Budgets = spent })
			e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", ServiceTier: tt.served})
			client := e.clients()["v1"]
			ctx := context.Background()
			chat := openai.ChatCompletionNewParams{
				Model:       "model-router",
				Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
				ServiceTier: openai.ChatCompletionNewParamsServiceTierPriority,
			}
			_, err := client.Chat.Completions.New(ctx, chat, onModel("large"))
			require.NoError(t, err)
			stream := client.Chat.Completions.NewStreaming(ctx, chat, onModel("large"))
			for stream.Next() {
			}
			require.NoError(t, stream.Err())
			ask := ask("What is the capital of France?")
			ask.ServiceTier = responses.ResponseNewParamsServiceTierPriority
			_, err = client.Responses.New(ctx, ask, onModel("large"))
			require.NoError(t, err)
			events := client.Responses.NewStreaming(ctx, ask, onModel("large"))
			for events.Next() {
			}
			require.NoError(t, events.Err())

			recs := e.log.waitFor(t, 4)
			total := 0.0
			for _, r := range recs {
				require.Equal(t, "large", r.Answered)
				require.Positive(t, r.Usage.PromptTokens)
				want := (float64(r.Usage.PromptTokens)*tt.in + float64(r.Usage.CompletionTokens)*tt.out) / 1e6
				assert.InDelta(t, want, r.CostUSD, 1e-12, "%s (stream %v) at the %s tier's prices", r.API, r.Stream, tt.served)
				total += r.CostUSD
			}
			assert.InDelta(t, total, spent.total(), 1e-12, "the key's budget is spent what the log says")
		})
	}
}

// A model without prices for the tier that served it is billed at its
// standard prices: the catalog has none to bill it by.
func TestATierWithoutPricesIsBilledAtTheStandardPrices(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{Reply: "Paris is the capital.", ServiceTier: "priority"})
	client := e.clients()["v1"]
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
	}, onModel("mini"))
	require.NoError(t, err)
	r := e.log.waitFor(t, 1)[0]
	assert.InDelta(t, (float64(r.Usage.PromptTokens)*0.4+float64(r.Usage.CompletionTokens)*1.6)/1e6, r.CostUSD, 1e-12)
}

// A stream whose usage never came, and which named no tier, is billed its
// estimate at the tier the gateway sent it, as the router priced it and
// the key's budget held it: a flex answer at large's flex prices, half its
// standard ones, not twice what it was expected to cost.
func TestAnEstimatedUsageIsBilledAtTheTierTheCallWasSent(t *testing.T) {
	e, _ := tierE2E(t)
	e.openai.Set("large", upstreamtest.Behavior{Reply: "Paris is the capital.", NoStreamUsage: true})
	client := e.clients()["v1"]
	for i, tt := range []struct {
		tier    openai.ChatCompletionNewParamsServiceTier
		in, out float64
	}{
		{"", 2, 8},
		{openai.ChatCompletionNewParamsServiceTierFlex, 1, 4},
		{openai.ChatCompletionNewParamsServiceTierPriority, 4, 16},
	} {
		stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
			Model:       "model-router",
			Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
			ServiceTier: tt.tier,
		}, onModel("large"))
		for stream.Next() {
		}
		require.NoError(t, stream.Err())
		r := e.log.waitFor(t, i+1)[i]
		require.True(t, r.UsageEstimated, "the stream reported no usage")
		want := (float64(r.Usage.PromptTokens)*tt.in + float64(r.Usage.CompletionTokens)*tt.out) / 1e6
		assert.InDelta(t, want, r.CostUSD, 1e-12, "an estimate at the %q tier's prices", tt.tier)
	}
}
