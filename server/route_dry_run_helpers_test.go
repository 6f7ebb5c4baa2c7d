package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dryRunDecision is what a dry run's answer (route.decision) says, and
// what a real call's decision log row says of the same.
type dryRunDecision struct {
	ChosenModel string            `json:"chosen_model"`
	Fallbacks   []string          `json:"fallbacks"`
	Candidates  []dryRunCandidate `json:"candidates"`
	Affinity    bool              `json:"session_affinity"`
}

type dryRunCandidate struct {
	Model            string  `json:"model"`
	Eligible         bool    `json:"eligible"`
	Rank             int     `json:"rank"`
	Reason           string  `json:"reason"`
	PredictedQuality float64 `json:"predicted_quality"`
	ExpectedCostUSD  float64 `json:"expected_cost_usd"`
}

// assertDryRunDecidesAsTheCall sends body to the dry run at routePath, then
// the same body to the real call at callPath, and holds the dry run's
// answer to what the call was decided as: its decision log row when it was
// routed (the chosen model, the failover order, every candidate with its
// reason), its error when it was refused (the same status, shape and
// error). It returns the dry run's decision (nil for a refusal).
func assertDryRunDecidesAsTheCall(t *testing.T, e *e2e, routePath, callPath, body string) *dryRunDecision {
	t.Helper()
	n := len(e.log.all())
	dryStatus, _, dryRaw := postRaw(t, e, http.MethodPost, routePath, body)
	e.log.waitFor(t, n+1) // the dry run's row, before the call's
	status, _, raw := postRaw(t, e, http.MethodPost, callPath, body)
	rec := e.log.waitFor(t, n+2)[n+1]
	require.NotEqual(t, string(apiRoute), rec.API, "the call's row")
	require.Equal(t, status, dryStatus, "the dry run answered %s; the call %s", dryRaw, raw)
	if status != http.StatusOK {
		var dryErr, callErr map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(dryRaw, &dryErr), "%s", dryRaw)
		require.NoError(t, json.Unmarshal(raw, &callErr), "%s", raw)
		assert.Equal(t, string(callErr["type"]), string(dryErr["type"]), "the error's shape: Anthropic's has a top-level type")
		assert.JSONEq(t, string(callErr["error"]), string(dryErr["error"]))
		return nil
	}
	var dry dryRunDecision
	require.NoError(t, json.Unmarshal(dryRaw, &dry), "%s", dryRaw)
	d := rec.Decision
	call := dryRunDecision{ChosenModel: d.ChosenID, Fallbacks: []string{}, Affinity: d.Affinity}
	for _, m := range d.Fallbacks {
		call.Fallbacks = append(call.Fallbacks, m.ID)
	}
	for _, c := range d.Candidates {
		call.Candidates = append(call.Candidates, dryRunCandidate{Model: c.Model, Eligible: c.Eligible, Rank: c.Rank,
			Reason: c.Reason, PredictedQuality: c.Quality, ExpectedCostUSD: c.ExpectedCost})
	}
	assert.Equal(t, call, dry, "the dry run's decision, against the call's")
	return &dry
}
