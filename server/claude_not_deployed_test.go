package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A deployment of the whole router version routes to a Claude model only
// once it has a deployment of its own with the router's SKU, as Foundry's
// does. Until then the model was simply missing from the dry run and from
// model_selection_details, and a user whose Claude model never answered
// (the reference's "Claude model not routing") was told nothing. It is an
// excluded candidate saying what to deploy, never chosen nor tried, and a
// normal candidate once deployed.
func TestAClaudeModelNotDeployedOnItsOwnShowsExcludedSayingWhatToDeploy(t *testing.T) {
	// Claude is the best model: in quality mode it is chosen whenever it
	// is a candidate.
	pred := testPrediction()
	pred["claude"] = router.Estimate{Quality: 0.97, OutputTokens: 100}
	e, st := leftOutClaudeGateway(t, pred)
	ctx := context.Background()
	_, err := st.PutDeployment(ctx, "full", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}, "routing": {"mode": "quality"}}}`))
	require.NoError(t, err)
	const body = `{"model":"full","messages":[{"role":"user","content":"hi"}]}`
	claudeOf := func(cs []dryRunCandidate) dryRunCandidate {
		for _, c := range cs {
			if c.Model == "claude" {
				return c
			}
		}
		t.Fatalf("claude is not among the candidates %+v", cs)
		return dryRunCandidate{}
	}

	dry := assertDryRunDecidesAsTheCall(t, e, "/v1/route", "/v1/chat/completions", body)
	require.NotNil(t, dry)
	assert.Equal(t, "large", dry.ChosenModel, "the best model the deployment can route to")
	assert.NotContains(t, dry.Fallbacks, "claude", "never tried in failover")
	c := claudeOf(dry.Candidates)
	assert.False(t, c.Eligible)
	assert.Zero(t, c.Rank)
	assert.Contains(t, c.Reason, "excluded: claude must be deployed before model router can route to it")
	assert.Contains(t, c.Reason, `properties.model {"format": "Anthropic", "name": "claude", "version": "1"} and sku.name "GlobalStandard"`,
		"what to deploy, with the router's SKU")

	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", body)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	var answer struct {
		Model   string `json:"model"`
		Details struct {
			AnsweredModel string `json:"answered_model"`
			Candidates    []struct {
				Model  string `json:"model"`
				Rank   int    `json:"rank"`
				Reason string `json:"reason"`
			} `json:"candidates"`
			FallbacksTried []json.RawMessage `json:"fallbacks_tried"`
		} `json:"model_selection_details"`
	}
	require.NoError(t, json.Unmarshal(raw, &answer), "%s", raw)
	assert.Equal(t, "large", answer.Details.AnsweredModel)
	assert.Empty(t, answer.Details.FallbacksTried)
	var shown []string
	for _, c := range answer.Details.Candidates {
		shown = append(shown, c.Model)
		if c.Model == "claude" {
			assert.Zero(t, c.Rank)
			assert.Contains(t, c.Reason, "claude must be deployed before model router can route to it", "model_selection_details")
		}
	}
	assert.Contains(t, shown, "claude", "model_selection_details lists it")

	// Deployed on its own, with the router's SKU: a candidate like any other.
	_, err = st.PutDeployment(ctx, "claude-gs", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "Anthropic", "name": "claude", "version": "1"}}}`))
	require.NoError(t, err)
	dry = assertDryRunDecidesAsTheCall(t, e, "/v1/route", "/v1/chat/completions", body)
	require.NotNil(t, dry)
	assert.Equal(t, "claude", dry.ChosenModel)
	c = claudeOf(dry.Candidates)
	assert.True(t, c.Eligible)
	assert.Equal(t, 1, c.Rank)
	assert.NotContains(t, c.Reason, "deployed")
}
