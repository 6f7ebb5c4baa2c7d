package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// tierE2E is the e2e gateway where large takes flex (its flex prices, $1
// in and $4 out per million, are half its standard ones, its priority
// prices twice them) beside mid, a model without flex at $1.5 and $6:
// the cheaper at the standard tier, the dearer than large at flex.
func tierE2E(t *testing.T) (*e2e, *holdRecorder) {
	t.Helper()
	holds := &holdRecorder{}
	e := newE2E(t, func(c *Config) {
		cat := testCatalog()
		cat.Versions[0].Models[0].Capabilities.Flex = true // large
		cat.Versions[0].Models = append(cat.Versions[0].Models, testModel("mid", "openai", "OpenAI", 1.5, 6, allCaps))
		pred := testPrediction()
		pred["mid"] = router.Estimate{Quality: 0.89, OutputTokens: 100}
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: c.Available})
		require.NoError(t, err)
		c.Router, c.Budgets = rt, holds
	})
	return e, holds
}

// A call's service_tier prices each model at the tier it is served at:
// in Cost mode a flex call goes to large, whose flex prices make it the
// cheaper, and one at the standard or priority tier to mid, which has no
// flex and no priority prices and is weighed at its standard prices.
func TestTheServiceTierAskedForIsWhatExpectedCostPrices(t *testing.T) {
	e, _ := tierE2E(t)
	for _, tt := range []struct {
		tier, chosen string
		in, out      float64 // large's prices at the tier
	}{
		{"", "mid", 2, 8},
		{"default", "mid", 2, 8},
		{"flex", "large", 1, 4},
		{"priority", "mid", 4, 16},
	} {
		t.Run("tier "+tt.tier, func(t *testing.T) {
			tier := ""
			if tt.tier != "" {
				tier = `"service_tier":"` + tt.tier + `",`
			}
			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/route", `{"model":"model-router","routing_config":{"mode":"cost","models":["large","mid"]},`+
				tier+`"messages":[{"role":"user","content":"What is the capital of France?"}]}`)
			require.Equal(t, http.StatusOK, status, "%s", raw)
			var rr struct {
				ChosenModel string `json:"chosen_model"`
				InputTokens int    `json:"input_tokens"`
				Candidates  []struct {
					Model        string  `json:"model"`
					ExpectedCost float64 `json:"expected_cost_usd"`
				} `json:"candidates"`
			}
			require.NoError(t, json.Unmarshal(raw, &rr))
			assert.Equal(t, tt.chosen, rr.ChosenModel)
			cost := map[string]float64{}
			for _, c := range rr.Candidates {
				cost[c.Model] = c.ExpectedCost
			}
			in := float64(rr.InputTokens)
			assert.InDelta(t, (in*tt.in+100*tt.out)/1e6, cost["large"], 1e-12, "large at the %q tier's prices", tt.tier)
			assert.InDelta(t, (in*1.5+100*6)/1e6, cost["mid"], 1e-12, "mid at its standard prices")
		})
	}
}

// What a flex call's answer says and logs of its candidates' expected
// costs, and what the key's budget holds while it runs, are the flex
// prices the router weighed, on Chat Completions and Responses.
func TestAFlexCallsDetailsLogAndBudgetHoldTheFlexExpectedCost(t *testing.T) {
	e, holds := tierE2E(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	cost := option.WithJSONSet("routing_config", map[string]any{"mode": "cost", "models": []string{"large", "mid"}})
	// logged makes one call and returns its record.
	logged := func(t *testing.T, call func() error) router.Record {
		t.Helper()
		before := len(e.log.all())
		require.NoError(t, call())
		return e.log.waitFor(t, before+1)[before]
	}
	// atFlex checks a flex answer of large's: its model_selection_details
	// against its record and the budget's hold, and large's expected cost
	// against the standard one of the same call without the tier.
	atFlex := func(t *testing.T, standard, flex router.Record, extra map[string]interface{ Raw() string }) {
		t.Helper()
		assert.Equal(t, "mid", standard.Answered)
		require.Equal(t, "large", flex.Answered)
		cost := candidateCost(t, flex, "large")
		assert.InDelta(t, candidateCost(t, standard, "large")/2, cost, 1e-15, "large at its flex prices, half its standard ones")
		for _, c := range selection(t, extra)["candidates"].([]any) {
			if cand := c.(map[string]any); cand["model"] == "large" {
				assert.InDelta(t, cost, cand["expected_cost_usd"].(float64), 1e-15, "model_selection_details says what the log does")
			}
		}
		assert.InDelta(t, cost, holds.last(), 1e-15, "the budget holds the expected cost the router weighed")
	}

	t.Run("chat completions", func(t *testing.T) {
		params := openai.ChatCompletionNewParams{Model: "model-router",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")}}
		standard := logged(t, func() error { _, err := client.Chat.Completions.New(ctx, params, cost); return err })
		params.ServiceTier = openai.ChatCompletionNewParamsServiceTierFlex
		var answer *openai.ChatCompletion
		flex := logged(t, func() (err error) { answer, err = client.Chat.Completions.New(ctx, params, cost); return err })
		atFlex(t, standard, flex, extraOf(answer.JSON.ExtraFields))
	})
	t.Run("responses", func(t *testing.T) {
		params := ask("What is the capital of France?")
		standard := logged(t, func() error { _, err := client.Responses.New(ctx, params, cost); return err })
		params.ServiceTier = responses.ResponseNewParamsServiceTierFlex
		var answer *responses.Response
		flex := logged(t, func() (err error) { answer, err = client.Responses.New(ctx, params, cost); return err })
		atFlex(t, standard, flex, extraOf(answer.JSON.ExtraFields))
	})
}

// candidateCost is model's expected cost in a record's decision.
func candidateCost(t *testing.T, rec router.Record, model string) float64 {
	t.Helper()
	for _, c := range rec.Decision.Candidates {
		if c.Model == model {
			return c.ExpectedCost
		}
	}
	t.Fatalf("%s is no candidate in %+v", model, rec.Decision.Candidates)
	return 0
}
