package server

// Parameters as the catalog's real models take them: the embedded catalog
// behind the gateway, every provider played by one OpenAI fake on
// loopback, and a client using the official OpenAI Go SDK. What each model
// receives is read off the fake, since the fake takes any value and the
// real providers do not.

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// newCatalogGateway serves the embedded catalog with the OpenAI fake as
// every provider (OpenAI, DeepSeek's API, and the default for the rest).
// The router model predicts quality 0.9 for best's profile and 0.5 for
// every other, so best is chosen and the others follow it in failover.
func newCatalogGateway(t *testing.T, best string) (openai.Client, *upstreamtest.Fake) {
	t.Helper()
	cat, pred := catalogPrediction(t)
	bestModel, ok := cat.Model(best)
	require.True(t, ok, best)
	pred[bestModel.Profile] = router.Estimate{Quality: 0.9, OutputTokens: 200}

	fake := upstreamtest.NewOpenAI(t)
	p := upstream.Provider{Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream"}
	byName := func(name string) upstream.Provider { q := p; q.Name = name; return q }
	def := byName("default")
	ps := upstream.Providers{
		ByName:  map[string]upstream.Provider{"openai": byName("openai"), "deepseek": byName("deepseek")},
		Default: &def,
	}
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(t, err)
	h := New(Config{
		Router: rt, Forwarder: &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second},
		Supports: ps.Supports, Available: ps.Available, Log: &recordLog{},
	}).Handler()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return openai.NewClient(option.WithBaseURL(ts.URL+"/v1/"), option.WithAPIKey("sk-client"), option.WithMaxRetries(0)), fake
}

// effortsAccepted are the reasoning efforts each OpenAI reasoning model
// takes, by its upstream name. OpenAI refuses any other value with 400
// unsupported_value ("Unsupported value: 'minimal' is not supported with
// the 'gpt-5.1' model. Supported values are: 'none', 'low', 'medium', and
// 'high'."): models before gpt-5.1 do not take none, the o-series takes
// neither none nor minimal, gpt-5.2 takes none and xhigh but not minimal.
var effortsAccepted = map[string][]string{
	"o4-mini-2025-04-16":    {"low", "medium", "high"},
	"gpt-5-2025-08-07":      {"minimal", "low", "medium", "high"},
	"gpt-5-mini-2025-08-07": {"minimal", "low", "medium", "high"},
	"gpt-5-nano-2025-08-07": {"minimal", "low", "medium", "high"},
	"gpt-5.2-2025-12-11":    {"none", "low", "medium", "high", "xhigh"},
}

// effortSent reads the effort a provider request carries: reasoning_effort
// on Chat Completions, reasoning.effort on Responses; "" when none.
func effortSent(t *testing.T, body []byte) string {
	t.Helper()
	var b struct {
		ReasoningEffort string `json:"reasoning_effort"`
		Reasoning       struct {
			Effort string `json:"effort"`
		} `json:"reasoning"`
	}
	require.NoError(t, json.Unmarshal(body, &b), "%s", body)
	if b.ReasoningEffort != "" {
		return b.ReasoningEffort
	}
	return b.Reasoning.Effort
}

// TestReasoningEffortReachesEachModelInAFormItAccepts: a client that sets
// reasoning_effort does not choose the model, the router does. A value one
// reasoning model takes and the chosen one refuses ("minimal" is gpt-5's,
// "none" and "xhigh" gpt-5.2's) must not become a 400 from the provider,
// which reaches the client without failover: the chosen model gets a value
// it takes (the nearest one), or is left out for a model that takes the
// value as sent.
func TestReasoningEffortReachesEachModelInAFormItAccepts(t *testing.T) {
	tests := []struct {
		effort string
		best   string   // the model the router picks first
		subset []string // routing_config.models: the best and one that takes the value
	}{
		{effort: "minimal", best: "o4-mini-2025-04-16", subset: []string{"o4-mini", "gpt-5-mini"}},
		{effort: "minimal", best: "gpt-5.2-2025-12-11", subset: []string{"gpt-5.2", "gpt-5-mini"}},
		{effort: "none", best: "gpt-5-2025-08-07", subset: []string{"gpt-5", "gpt-5.2"}},
		{effort: "xhigh", best: "gpt-5-mini-2025-08-07", subset: []string{"gpt-5-mini", "gpt-5.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.effort+" when "+tt.best+" is chosen", func(t *testing.T) {
			client, fake := newCatalogGateway(t, tt.best)
			subset := option.WithJSONSet("routing_config", map[string]any{"models": tt.subset})
			ctx := context.Background()

			chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
				Model:           "model-router",
				Messages:        []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Classify this ticket: printer on fire")},
				ReasoningEffort: shared.ReasoningEffort(tt.effort),
			}, subset)
			require.NoError(t, err)
			assert.NotEmpty(t, chat.Choices[0].Message.Content)

			resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
				Model:     "model-router",
				Input:     responses.ResponseNewParamsInputUnion{OfString: openai.String("Classify this ticket: printer on fire")},
				Reasoning: shared.ReasoningParam{Effort: shared.ReasoningEffort(tt.effort)},
			}, subset)
			require.NoError(t, err)
			assert.NotEmpty(t, resp.OutputText())

			reqs := fake.Requests()
			require.NotEmpty(t, reqs)
			for _, r := range reqs {
				accepted, known := effortsAccepted[r.Model]
				require.True(t, known, "sent to %s, outside the subset", r.Model)
				if got := effortSent(t, r.Body); got != "" {
					assert.True(t, slices.Contains(accepted, got),
						"%s %s got reasoning effort %q, which it refuses (it takes %v)", r.Path, r.Model, got, accepted)
				}
			}
		})
	}
}

// TestRequireParametersLeavesOutAModelThatWouldGetAnotherEffort: with
// require_parameters the client asks for models that take its parameters
// as sent, and a reasoning effort mapped to the nearest one (xhigh as high
// on gpt-5-mini) is not as sent: the model is left out, saying which
// values it takes, and one that lists the value answers with it, on Chat
// Completions and Responses alike.
func TestRequireParametersLeavesOutAModelThatWouldGetAnotherEffort(t *testing.T) {
	client, fake := newCatalogGateway(t, "gpt-5-mini-2025-08-07")
	strict := option.WithJSONSet("routing_config", map[string]any{"models": []string{"gpt-5-mini", "gpt-5.2"}, "require_parameters": true})
	ctx := context.Background()
	const why = `excluded: require_parameters and unsupported reasoning effort "xhigh" (takes minimal, low, medium, high)`
	reasonOf := func(details map[string]any, model string) string {
		for _, c := range details["candidates"].([]any) {
			if cand := c.(map[string]any); cand["model"] == model {
				return cand["reason"].(string)
			}
		}
		return ""
	}

	chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:           "model-router",
		Messages:        []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Prove that there are infinitely many primes.")},
		ReasoningEffort: shared.ReasoningEffort("xhigh"),
	}, strict)
	require.NoError(t, err)
	assert.Equal(t, "gpt-5.2-2025-12-11", chat.Model)
	assert.Equal(t, why, reasonOf(selection(t, extraOf(chat.JSON.ExtraFields)), "gpt-5-mini-2025-08-07"))

	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model:     "model-router",
		Input:     responses.ResponseNewParamsInputUnion{OfString: openai.String("Prove that there are infinitely many primes.")},
		Reasoning: shared.ReasoningParam{Effort: shared.ReasoningEffort("xhigh")},
	}, strict)
	require.NoError(t, err)
	assert.Equal(t, "gpt-5.2-2025-12-11", string(resp.Model))

	assert.Zero(t, len(fake.RequestsFor("gpt-5-mini-2025-08-07")), "gpt-5-mini would have reasoned at high")
	for _, r := range fake.RequestsFor("gpt-5.2-2025-12-11") {
		assert.Equal(t, "xhigh", effortSent(t, r.Body), "the value as sent")
	}
}

// TestDeepSeekGetsTheOutputLimitAsMaxTokens: the OpenAI SDK sends an output
// limit as max_completion_tokens (max_tokens is deprecated there).
// DeepSeek's API reads only max_tokens and silently ignores
// max_completion_tokens, so a call routed to DeepSeek-V3.2 would run to
// DeepSeek's own default length: longer and dearer than the client asked,
// and than the expected cost the router computed with the cap. The limit
// must reach DeepSeek as max_tokens.
func TestDeepSeekGetsTheOutputLimitAsMaxTokens(t *testing.T) {
	client, fake := newCatalogGateway(t, "DeepSeek-V3.2")
	chat, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:               "model-router",
		Messages:            []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name three rivers in Spain.")},
		MaxCompletionTokens: openai.Int(50),
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"DeepSeek-V3.2"}}))
	require.NoError(t, err)
	assert.Equal(t, "DeepSeek-V3.2", chat.Model)

	sent := fake.RequestsFor("deepseek-chat")
	require.Len(t, sent, 1)
	var body map[string]any
	require.NoError(t, json.Unmarshal(sent[0].Body, &body))
	assert.EqualValues(t, 50, body["max_tokens"], "DeepSeek reads the output limit from max_tokens: %s", sent[0].Body)
	assert.NotContains(t, body, "max_completion_tokens", "DeepSeek ignores max_completion_tokens: %s", sent[0].Body)
}

// TestDeepSeekIsNotSentAnOutputLimitAboveItsMaximum: DeepSeek's API gives
// deepseek-chat at most 8K output tokens and refuses a larger max_tokens
// with a 400, which does not fail over; a call asking for more goes to a
// model that can write that much.
func TestDeepSeekIsNotSentAnOutputLimitAboveItsMaximum(t *testing.T) {
	client, fake := newCatalogGateway(t, "DeepSeek-V3.2")
	chat, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:               "model-router",
		Messages:            []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Write a long report on Spain's rivers.")},
		MaxCompletionTokens: openai.Int(10000),
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"DeepSeek-V3.2", "gpt-4.1"}}))
	require.NoError(t, err)
	assert.Equal(t, "gpt-4.1-2025-04-14", chat.Model)
	assert.Zero(t, len(fake.RequestsFor("deepseek-chat")), "deepseek-chat was sent a limit it refuses")
}
