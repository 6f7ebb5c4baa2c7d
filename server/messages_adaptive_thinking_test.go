package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// Adaptive thinking, the form Claude's newest models take (no budget),
// thinks at Anthropic's default effort, high, unless output_config says
// another. An OpenAI reasoning model reached through the translation gets
// that effort: left to its own default, gpt-5.2 (default none) would
// answer a call that asked for thinking without reasoning at all.
func TestAdaptiveThinkingReachesAnOpenAIReasoningModelAsHighEffort(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		rt, err := router.New(router.Config{
			Catalog: router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
				testModel("five-two", "openai", "OpenAI", 2, 8, router.Capabilities{Reasoning: true,
					ReasoningEfforts: []string{"none", "low", "medium", "high", "xhigh"}}),
			}}}},
			Predictor: &routertest.Predictor{Fixed: router.Prediction{"five-two": {Quality: 0.9, OutputTokens: 100}}},
		})
		require.NoError(t, err)
		c.Router = rt
	})
	client := e.anthropicClients()["v1"]
	params := helloParams("Prove that there are infinitely many primes.")
	params.Thinking = anthropic.ThinkingConfigParamUnion{OfAdaptive: &anthropic.ThinkingConfigAdaptiveParam{}}
	msg, err := client.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "five-two", string(msg.Model))

	params.OutputConfig = anthropic.OutputConfigParam{Effort: anthropic.OutputConfigEffortLow}
	_, err = client.Messages.New(context.Background(), params)
	require.NoError(t, err)

	reqs := e.openai.RequestsFor("five-two")
	require.Len(t, reqs, 2)
	var efforts []string
	for _, r := range reqs {
		var body struct {
			ReasoningEffort string `json:"reasoning_effort"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		efforts = append(efforts, body.ReasoningEffort)
	}
	assert.Equal(t, []string{"high", "low"}, efforts, "adaptive alone is high; an effort beside it wins")
}
