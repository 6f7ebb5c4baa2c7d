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

// A deployment whose every model is left out for want of a deployment of
// its own (a subset of Claude alone, its Claude deployment gone, as a
// gateway of an older version sharing the database may leave it) is
// refused 400 no_eligible saying, in the message and error.candidates,
// why each model is left out and what to deploy, as a call whose
// candidates the request filtered out is, not only that none is left.
func TestADeploymentWithNoModelLeftSaysWhatToDeploy(t *testing.T) {
	e, st := leftOutClaudeGateway(t, nil)
	_, err := st.PutDeployment(context.Background(), "only-claude", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"},
	  "routing": {"models": [{"format": "Anthropic", "name": "claude", "version": "1"}]}}}`))
	require.NoError(t, err)

	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"only-claude","messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", raw)
	var body struct {
		Error struct {
			Message    string `json:"message"`
			Code       string `json:"code"`
			Candidates []struct {
				Model  string `json:"model"`
				Reason string `json:"reason"`
			} `json:"candidates"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &body), "%s", raw)
	assert.Equal(t, router.ENoEligible, body.Error.Code)
	const why = leftOutClaudeWhy
	assert.Contains(t, body.Error.Message, `deployment "only-claude" has no model left to route to`)
	assert.Contains(t, body.Error.Message, why)
	require.Len(t, body.Error.Candidates, 1, "%s", raw)
	assert.Equal(t, "claude", body.Error.Candidates[0].Model)
	assert.Equal(t, "excluded: "+why, body.Error.Candidates[0].Reason)
	assert.Empty(t, e.anthropic.Requests(), "never tried")
}
