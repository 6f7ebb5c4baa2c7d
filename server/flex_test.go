package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// askAtTier sends one Chat Completions and one Responses call at the
// service tier given, with the options given, and returns the models that
// answered them.
func askAtTier(t *testing.T, client openai.Client, tier string, opts ...option.RequestOption) (chatModel, respModel string) {
	t.Helper()
	ctx := context.Background()
	chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:       "model-router",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Summarise the water cycle.")},
		ServiceTier: openai.ChatCompletionNewParamsServiceTier(tier),
	}, opts...)
	require.NoError(t, err)
	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model:       "model-router",
		Input:       responses.ResponseNewParamsInputUnion{OfString: openai.String("Summarise the water cycle.")},
		ServiceTier: responses.ResponseNewParamsServiceTier(tier),
	}, opts...)
	require.NoError(t, err)
	return chat.Model, string(resp.Model)
}

// tierSent reads the service_tier a provider request carries ("" when
// none).
func tierSent(t *testing.T, body []byte) string {
	t.Helper()
	var b struct {
		ServiceTier string `json:"service_tier"`
	}
	require.NoError(t, json.Unmarshal(body, &b), "%s", body)
	return b.ServiceTier
}

// OpenAI and Azure serve service_tier flex only on the models that have a
// flex tier and answer it for any other with a 400 that does not fall back
// to the standard tier. The router, not the client, picked the model, so
// a model without flex gets the call at the standard tier; one with it,
// and any other tier, get it as sent.
func TestFlexReachesOnlyModelsThatTakeIt(t *testing.T) {
	for _, tt := range []struct {
		best, upstream, tier, want string
	}{
		{best: "gpt-5-mini-2025-08-07", upstream: "gpt-5-mini-2025-08-07", tier: "flex", want: "flex"},
		{best: "o4-mini-2025-04-16", upstream: "o4-mini-2025-04-16", tier: "flex", want: "flex"},
		{best: "gpt-4.1-mini-2025-04-14", upstream: "gpt-4.1-mini-2025-04-14", tier: "flex", want: ""},
		{best: "gpt-5.2-chat-2025-12-11", upstream: "gpt-5.2-chat-latest", tier: "flex", want: ""},
		{best: "DeepSeek-V3.2", upstream: "deepseek-chat", tier: "flex", want: ""},
		{best: "gpt-4.1-mini-2025-04-14", upstream: "gpt-4.1-mini-2025-04-14", tier: "priority", want: "priority"},
	} {
		t.Run(tt.best+"/"+tt.tier, func(t *testing.T) {
			client, fake := newCatalogGateway(t, tt.best)
			chatModel, respModel := askAtTier(t, client, tt.tier,
				option.WithJSONSet("routing_config", map[string]any{"models": []string{tt.best}}))
			assert.Equal(t, tt.best, chatModel)
			assert.Equal(t, tt.best, respModel)
			sent := fake.RequestsFor(tt.upstream)
			require.Len(t, sent, 2)
			for _, r := range sent {
				assert.Equal(t, tt.want, tierSent(t, r.Body), "%s: %s", r.Path, r.Body)
			}
		})
	}
}

// With require_parameters a model that would be served at the standard
// tier is left out, saying so, and one with flex answers at it.
func TestRequireParametersLeavesOutAModelWithoutFlex(t *testing.T) {
	client, fake := newCatalogGateway(t, "gpt-4.1-mini-2025-04-14")
	strict := option.WithJSONSet("routing_config", map[string]any{"models": []string{"gpt-4.1-mini", "gpt-5-nano"}, "require_parameters": true})
	chatModel, respModel := askAtTier(t, client, "flex", strict)
	assert.Equal(t, "gpt-5-nano-2025-08-07", chatModel)
	assert.Equal(t, "gpt-5-nano-2025-08-07", respModel)
	assert.Zero(t, len(fake.RequestsFor("gpt-4.1-mini-2025-04-14")), "gpt-4.1-mini would have answered at the standard tier")

	chat, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:       "model-router",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Summarise the water cycle.")},
		ServiceTier: openai.ChatCompletionNewParamsServiceTierFlex,
	}, strict)
	require.NoError(t, err)
	for _, c := range selection(t, extraOf(chat.JSON.ExtraFields))["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "gpt-4.1-mini-2025-04-14" {
			assert.Equal(t, `excluded: require_parameters and unsupported service_tier "flex"`, cand["reason"])
		}
	}
}
