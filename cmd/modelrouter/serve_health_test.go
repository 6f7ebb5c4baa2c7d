package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// While a provider keeps failing, calls stop waiting for it: after three
// failures in a row its model is tried last, so the next calls go straight
// to a healthy one, and it is tried again once it has cooled down.
func TestServeTriesAFailingModelLast(t *testing.T) {
	s := startControlsServeWith(t, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.rateLimits = false
		o.unhealthyAfter, o.unhealthyFor = 3, 200*time.Millisecond
	})
	oa := s.openai
	oa.Set(gpt5, upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	quality := chatTo("model-router", `,"routing_config":{"mode":"quality","models":["`+gpt5+`","`+gpt41+`"]}`)

	type details struct {
		Chosen    string `json:"chosen_model"`
		Answered  string `json:"answered_model"`
		Fallbacks []any  `json:"fallbacks_tried"`
		Cands     []struct {
			Model, Reason string
		} `json:"candidates"`
	}
	ask := func() details {
		t.Helper()
		resp, raw := s.call(t, "POST", "/v1/chat/completions", quality)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", raw)
		var body struct {
			D details `json:"model_selection_details"`
		}
		require.NoError(t, json.Unmarshal(raw, &body))
		return body.D
	}
	for i := range 3 {
		d := ask()
		assert.Equal(t, gpt5, d.Chosen, "call %d", i)
		assert.Equal(t, gpt41, d.Answered, "call %d failed over", i)
	}
	d := ask()
	assert.Equal(t, gpt41, d.Chosen, "straight to the healthy model")
	assert.Empty(t, d.Fallbacks)
	reasons := map[string]string{}
	for _, c := range d.Cands {
		reasons[c.Model] = c.Reason
	}
	assert.Contains(t, reasons[gpt5], "tried last: unhealthy: 3 failures in a row, the last HTTP 503")
	assert.Len(t, oa.RequestsFor(gpt5), 3, "the failing provider was not asked again")
	_, scrape := s.call(t, "GET", "/metrics", "")
	assert.Contains(t, string(scrape), `modelrouter_model_unhealthy{model="`+gpt5+`"} 1`)

	// Recovered and cooled down: tried again, and chosen again.
	oa.Set(gpt5, upstreamtest.Behavior{})
	time.Sleep(250 * time.Millisecond)
	d = ask()
	assert.Equal(t, gpt5, d.Answered)
	assert.Equal(t, gpt5, ask().Answered)
}
