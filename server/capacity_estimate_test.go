package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// estimateFor returns what a chat call with body's extra members is
// charged against the deployment's capacity before it runs, routed to
// mini (predicted to answer in 100 tokens, thinking reasoning more).
func estimateFor(t *testing.T, reasoning float64, extra string) int64 {
	t.Helper()
	cat := testCatalog()
	for i, m := range cat.Versions[0].Models {
		if m.ID == "mini" {
			cat.Versions[0].Models[i].ReasoningTokens = reasoning
		}
	}
	r, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}})
	require.NoError(t, err)
	lim := &countingLimiter{}
	srv, _, _ := newTestServer(t, func(c *Config) { c.Router, c.Limiter = r, lim })
	body := `{"model":"model-router","routing_config":{"models":["mini"]},` + extra +
		`"messages":[{"role":"user","content":"What is the capital of France?"}]}`
	w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", body)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	return lim.est.Load()
}

// A call is charged up front what it is expected to be billed, which the
// settle afterwards charges anyway: every one of n answers, and the hidden
// reasoning of a reasoning model. Charged less, a burst of such calls all
// pass the limiter before the first settles, well past the capacity.
func TestCapacityChargesEveryAnswerAndHiddenReasoningUpFront(t *testing.T) {
	one := estimateFor(t, 0, "")
	prompt := one - 100
	require.Positive(t, prompt)

	assert.Equal(t, prompt+4*100, estimateFor(t, 0, `"n":4,`), "four answers of about 100 tokens")
	assert.Equal(t, prompt+100+300, estimateFor(t, 300, ""), "the answer and 300 reasoning tokens")
	assert.Equal(t, prompt+4*(100+300), estimateFor(t, 300, `"n":4,`))
	assert.Equal(t, prompt+4*250, estimateFor(t, 300, `"n":4,"max_completion_tokens":250,`),
		"each answer stops at the client's max output, reasoning included")
	assert.Equal(t, one, estimateFor(t, 0, `"n":1,`))
	assert.Equal(t, one, estimateFor(t, 0, `"n":1000,`), "an n the provider refuses costs nothing more")
}

// Claude reached from Chat Completions without an output limit is sent
// max_tokens 4096 and stops there: predicted to write 10,000 tokens, it is
// charged 4,096 of output up front, as its expected cost counts, not
// 10,000 that would hold the deployment's capacity from other calls; a
// client's own limit replaces the default.
func TestCapacityChargesClaudeAtMostTheMaxTokensItIsSentByDefault(t *testing.T) {
	pred := testPrediction()
	pred["claude"] = router.Estimate{Quality: 0.895, OutputTokens: 10_000}
	rt, err := router.New(router.Config{Catalog: testCatalog(), Predictor: &routertest.Predictor{Fixed: pred}})
	require.NoError(t, err)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "http://127.0.0.1:1"},
	}}
	lim := &countingLimiter{}
	srv, _, _ := newTestServer(t, func(c *Config) { c.Router, c.Limiter, c.DefaultOutput = rt, lim, ps.DefaultOutput })
	charged := func(extra string) int64 {
		body := `{"model":"model-router","routing_config":{"models":["claude"]},` + extra +
			`"messages":[{"role":"user","content":"Write the full report."}]}`
		w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", body)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		return lim.est.Load()
	}
	prompt := charged(`"max_tokens":50,`) - 50
	require.Positive(t, prompt)

	assert.Equal(t, prompt+4096, charged(""), "Claude stops at the default max_tokens 4096")
	assert.Equal(t, prompt+6000, charged(`"max_tokens":6000,`), "the client's own limit replaces the default")
}
