package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Chat Completions call with n answers is expected to cost its prompt
// once and each answer (mini: $0.4 in, $1.6 out per million, predicted to
// answer in 100 tokens), as its provider bills it: that is what the
// router weighs and what a key's budget holds while the call runs.
func TestExpectedCostCountsEveryAnswerOfN(t *testing.T) {
	srv, _, _ := newTestServer(t, nil)
	h := srv.Handler()
	route := func(extra string) (int, float64) {
		return routedCost(t, h, "mini", extra, "What is the capital of France?")
	}
	in, one := route("")
	assert.InDelta(t, (float64(in)*0.4+100*1.6)/1e6, one, 1e-12)
	_, four := route(`"n":4,`)
	assert.InDelta(t, (float64(in)*0.4+4*100*1.6)/1e6, four, 1e-12, "four answers of about 100 tokens")
	_, capped := route(`"n":4,"max_tokens":50,`)
	assert.InDelta(t, (float64(in)*0.4+4*50*1.6)/1e6, capped, 1e-12, "each answer stops at max_tokens")
}

// routedCost asks h's /v1/route to route prompt among model alone, with
// extra members (each ending in a comma) before messages, and returns the
// call's estimated input tokens and model's expected cost.
func routedCost(t *testing.T, h http.Handler, model, extra, prompt string) (inputTokens int, cost float64) {
	t.Helper()
	w := do(h, http.MethodPost, "/v1/route", `{"model":"model-router","routing_config":{"models":["`+model+`"]},`+extra+
		`"messages":[{"role":"user","content":"`+prompt+`"}]}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var rr struct {
		InputTokens int `json:"input_tokens"`
		Candidates  []struct {
			Model        string  `json:"model"`
			ExpectedCost float64 `json:"expected_cost_usd"`
		} `json:"candidates"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &rr))
	for _, c := range rr.Candidates {
		if c.Model == model {
			return rr.InputTokens, c.ExpectedCost
		}
	}
	t.Fatalf("%s is not a candidate: %s", model, w.Body.String())
	return 0, 0
}
