package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A Chat Completions or Responses call without an output limit reaches
// Claude with the max_tokens its translation must send (4096), and
// Anthropic refuses a prompt plus max_tokens over the window with a 400
// that no failover follows. A prompt that fits alone but not with that
// output goes to a model that takes it, and Claude's reason says why.
func TestAPromptWithoutRoomForClaudesDefaultOutputGoesToAnotherModel(t *testing.T) {
	e := newE2E(t, func(c *Config) {
		// The test catalog's windows are 128,000 tokens.
		c.EstimateTokens = func([]string) int { return 125_000 }
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
	e := newE2E(t, func(c *Config) { c.EstimateTokens = func([]string) int { return 125_000 } })
	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router",`+claudeFirst+`,"max_tokens":1000,
		"messages":[{"role":"user","content":"Summarise the attached report."}]}`)
	require.Equal(t, http.StatusOK, st, "%s", body)
	assert.Equal(t, "claude", modelOf(t, body))
}

// Claude reached from Chat Completions without an output limit is sent
// max_tokens 4096 and stops there: predicted to write 10,000 tokens, its
// expected cost (what Cost and Balanced modes weigh and a key's budget
// holds) counts 4,096 at $15/M, and a client's own limit replaces it.
func TestClaudesExpectedCostStopsAtTheMaxTokensItIsSentByDefault(t *testing.T) {
	pred := testPrediction()
	pred["claude"] = router.Estimate{Quality: 0.895, OutputTokens: 10_000}
	rt, err := router.New(router.Config{Catalog: testCatalog(), Predictor: &routertest.Predictor{Fixed: pred}})
	require.NoError(t, err)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "http://127.0.0.1:1"},
	}}
	srv, _, _ := newTestServer(t, func(c *Config) { c.Router, c.DefaultOutput = rt, ps.DefaultOutput })
	route := func(extra string) (int, float64) {
		return routedCost(t, srv.Handler(), "claude", extra, "Write the full report.")
	}
	in, byDefault := route("")
	assert.InDelta(t, (float64(in)*3+4096*15)/1e6, byDefault, 1e-12, "Claude stops at the default max_tokens 4096")
	_, own := route(`"max_tokens":6000,`)
	assert.InDelta(t, (float64(in)*3+6000*15)/1e6, own, 1e-12, "the client's own limit replaces the default")
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
