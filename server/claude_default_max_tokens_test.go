package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Chat Completions or Responses call without an output limit reaches
// Claude with the max_tokens its translation must send (4096), and
// Anthropic refuses a prompt plus max_tokens over the window with a 400
// that no failover follows. A prompt that fits alone but not with that
// output goes to a model that takes it, and Claude's reason says why.
func TestAPromptWithoutRoomForClaudesDefaultOutputGoesToAnotherModel(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		// The test catalog's windows are 128,000 tokens.
		c.EstimateTokens = func(string) int { return 125_000 }
	})
	for _, call := range []struct{ path, body string }{
		{"/v1/chat/completions", `{"model":"model-router",` + claudeFirst + `,"messages":[{"role":"user","content":"Summarise the attached report."}]}`},
		{"/v1/responses", `{"model":"model-router",` + claudeFirst + `,"input":"Summarise the attached report."}`},
	} {
		st, _, body := postRaw(t, e, http.MethodPost, call.path, call.body)
		require.Equal(t, http.StatusOK, st, "%s: %s", call.path, body)
		assert.Equal(t, "mini", modelOf(t, body), call.path)
		assert.Contains(t, reasonFor(t, body, "claude"), "context window 128000 tokens < prompt 125000 + output 4096", call.path)
	}
	assert.Equal(t, 0, len(e.anthropic.Requests()), "Claude would refuse prompt + max_tokens over its window")
}

// A client's own small limit is what Claude gets, and it fits.
func TestAPromptWithRoomForTheClientsOwnLimitStillReachesClaude(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.EstimateTokens = func(string) int { return 125_000 } })
	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router",`+claudeFirst+`,"max_tokens":1000,
		"messages":[{"role":"user","content":"Summarise the attached report."}]}`)
	require.Equal(t, http.StatusOK, st, "%s", body)
	assert.Equal(t, "claude", modelOf(t, body))
}

// reasonFor reads a candidate's reason from an answer's
// model_selection_details.
func reasonFor(t *testing.T, body []byte, model string) string {
	t.Helper()
	var a struct {
		Details struct {
			Candidates []struct{ Model, Reason string } `json:"candidates"`
		} `json:"model_selection_details"`
	}
	require.NoError(t, json.Unmarshal(body, &a), "%s", body)
	for _, c := range a.Details.Candidates {
		if c.Model == model {
			return c.Reason
		}
	}
	return ""
}
