package server

// routing_config.require_parameters promises "only models that support
// every parameter the request uses". A model reached through a translation
// (Claude, for a Chat Completions call) supports only what the translation
// carries: presence_penalty, frequency_penalty and seed have no Messages
// API form and are dropped on the way, so the answer comes as if they had
// not been asked for.

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

func TestRequireParametersLeavesOutAModelWhoseTranslationDropsAParameter(t *testing.T) {
	e := newE2E(t)
	// Alone, claude (.895) is chosen over nano (.85, below the band).
	client := e.clients()["v1"]
	resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:           "model-router",
		Messages:        []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Write a tagline for a bakery.")},
		PresencePenalty: openai.Float(0.8),
		Seed:            openai.Int(42),
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude", "nano"}, "require_parameters": true}))
	require.NoError(t, err)
	assert.Equal(t, "nano", resp.Model, "the model that takes presence_penalty and seed answers")
	assert.Zero(t, len(e.anthropic.Requests()), "Claude would have answered without presence_penalty and seed")
	for _, c := range selection(t, extraOf(resp.JSON.ExtraFields))["candidates"].([]any) {
		cand := c.(map[string]any)
		if cand["model"] == "claude" {
			assert.Contains(t, cand["reason"], "excluded", "Claude is left out, saying why")
		}
	}
}

// The other way round: a Messages call's top_k has no Chat Completions
// form, so the OpenAI models, reached through that translation, are left
// out and Claude, which reads the call as sent, answers.
func TestRequireParametersOnMessagesLeavesOutModelsThatWouldLoseTopK(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["v1"]
	params := helloParams("Write a tagline for a bakery.")
	topK := aoption.WithJSONSet("top_k", 5)
	msg, err := client.Messages.New(context.Background(), params, topK,
		aoption.WithJSONSet("routing_config", map[string]any{"models": []string{"mini", "claude"}, "require_parameters": true}))
	require.NoError(t, err)
	assert.Equal(t, "claude", string(msg.Model), "without require_parameters mini answers (Balanced)")
	assert.Empty(t, e.openai.Requests(), "mini would have answered without top_k")
	found := false
	for _, c := range messageDetails(t, msg)["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "mini" {
			found = true
			assert.Contains(t, cand["reason"], "excluded: require_parameters and unsupported top_k")
		}
	}
	assert.True(t, found, "mini is among the candidates, with its reason")

	// Without require_parameters top_k is dropped, as documented, and
	// the call is routed as before.
	msg, err = client.Messages.New(context.Background(), params, topK, onlyModels("mini", "claude"))
	require.NoError(t, err)
	assert.Equal(t, "mini", string(msg.Model))
	reqs := e.openai.RequestsFor("mini")
	require.Len(t, reqs, 1)
	assert.NotContains(t, string(reqs[0].Body), "top_k")
}

// A Messages call's thinking reaches an OpenAI reasoning model as the
// reasoning_effort its translation derives (a 2,048-token budget is low).
// A model that does not list that effort would get the nearest one it
// takes instead: with require_parameters it is left out, saying so as for
// a client's own reasoning_effort; without, it answers at its own effort.
func TestRequireParametersOnMessagesLeavesOutAModelThatDoesNotTakeTheDerivedEffort(t *testing.T) {
	reasoner := func(id string, in, out float64, efforts ...string) router.Model {
		return testModel(id, "openai", "OpenAI", in, out, router.Capabilities{Reasoning: true, ReasoningEfforts: efforts})
	}
	e := newE2E(t, func(c *Config) {
		rt, err := router.New(router.Config{
			Catalog: router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
				reasoner("pro", 1, 4, "high"), reasoner("thinker", 2, 8, "low", "medium", "high"),
			}}}},
			Predictor: &routertest.Predictor{Fixed: router.Prediction{"pro": {Quality: 0.9, OutputTokens: 100}, "thinker": {Quality: 0.9, OutputTokens: 100}}},
		})
		require.NoError(t, err)
		c.Router = rt
	})
	client := e.anthropicClients()["v1"]
	params := helloParams("Prove that there are infinitely many primes.")
	params.Thinking = anthropic.ThinkingConfigParamOfEnabled(2048)

	msg, err := client.Messages.New(context.Background(), params,
		aoption.WithJSONSet("routing_config", map[string]any{"require_parameters": true}))
	require.NoError(t, err)
	assert.Equal(t, "thinker", string(msg.Model), "the model that takes low as derived")
	reason := ""
	for _, c := range messageDetails(t, msg)["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "pro" {
			reason = cand["reason"].(string)
		}
	}
	assert.Equal(t, `excluded: require_parameters and unsupported reasoning effort "low" (takes high)`, reason)
	assert.Empty(t, e.openai.RequestsFor("pro"), "pro would have reasoned at high")
	reqs := e.openai.RequestsFor("thinker")
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"reasoning_effort":"low"`)

	// Without require_parameters the cheaper model answers at the effort
	// it takes, as documented.
	msg, err = client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "pro", string(msg.Model))
	reqs = e.openai.RequestsFor("pro")
	require.Len(t, reqs, 1)
	assert.Contains(t, string(reqs[0].Body), `"reasoning_effort":"high"`)
}

// Anthropic's efforts above high, xhigh and max, go on OpenAI's
// reasoning_effort scale by name: a model gets the nearest it takes
// (xhigh on gpt-5.2, high on gpt-5), so max asks each model for its most
// reasoning. With require_parameters the value must be one the model
// takes: no catalog model lists max, so a max call is left to Claude,
// and an xhigh call to the models that take xhigh.
func TestMessagesEffortAboveHighReachesEachModelAsTheHighestItTakes(t *testing.T) {
	reasoner := func(id string, in, out float64, efforts ...string) router.Model {
		return testModel(id, "openai", "OpenAI", in, out, router.Capabilities{Reasoning: true, ReasoningEfforts: efforts})
	}
	e := newE2E(t, func(c *Config) {
		rt, err := router.New(router.Config{
			Catalog: router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
				reasoner("five", 1, 4, "minimal", "low", "medium", "high"), reasoner("five-two", 2, 8, "none", "low", "medium", "high", "xhigh"),
			}}}},
			Predictor: &routertest.Predictor{Fixed: router.Prediction{"five": {Quality: 0.9, OutputTokens: 100}, "five-two": {Quality: 0.9, OutputTokens: 100}}},
		})
		require.NoError(t, err)
		c.Router = rt
	})
	client := e.anthropicClients()["v1"]
	effort := func(v anthropic.OutputConfigEffort) anthropic.MessageNewParams {
		p := helloParams("Prove that there are infinitely many primes.")
		p.OutputConfig = anthropic.OutputConfigParam{Effort: v}
		return p
	}
	sentEffort := func(model string) string {
		t.Helper()
		reqs := e.openai.RequestsFor(model)
		require.NotEmpty(t, reqs)
		var body struct {
			ReasoningEffort string `json:"reasoning_effort"`
		}
		require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
		return body.ReasoningEffort
	}

	msg, err := client.Messages.New(context.Background(), effort(anthropic.OutputConfigEffortMax), onlyModels("five-two"))
	require.NoError(t, err)
	assert.Equal(t, "five-two", string(msg.Model))
	assert.Equal(t, "xhigh", sentEffort("five-two"), "max is gpt-5.2's highest, xhigh")
	msg, err = client.Messages.New(context.Background(), effort(anthropic.OutputConfigEffortMax), onlyModels("five"))
	require.NoError(t, err)
	assert.Equal(t, "five", string(msg.Model))
	assert.Equal(t, "high", sentEffort("five"), "and gpt-5's, high")

	_, err = client.Messages.New(context.Background(), effort(anthropic.OutputConfigEffortMax),
		aoption.WithJSONSet("routing_config", map[string]any{"require_parameters": true}))
	var apiErr *anthropic.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	var refused struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(apiErr.RawJSON()), &refused))
	assert.Contains(t, refused.Error.Message, `five-two (require_parameters and unsupported reasoning effort "max" (takes none, low, medium, high, xhigh))`)

	msg, err = client.Messages.New(context.Background(), effort(anthropic.OutputConfigEffortXhigh),
		aoption.WithJSONSet("routing_config", map[string]any{"require_parameters": true}))
	require.NoError(t, err)
	assert.Equal(t, "five-two", string(msg.Model), "the model that takes xhigh as sent")
	assert.Equal(t, "xhigh", sentEffort("five-two"))
	reason := ""
	for _, c := range messageDetails(t, msg)["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "five" {
			reason = cand["reason"].(string)
		}
	}
	assert.Equal(t, `excluded: require_parameters and unsupported reasoning effort "xhigh" (takes minimal, low, medium, high)`, reason)
}
