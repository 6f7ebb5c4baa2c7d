package server

import (
	"math"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A router model that predicts nothing usable for any model (a broken or
// mismatched model) is the gateway's fault: a 503 in the API's own error
// shape, which no change to the request fixes and retrying the same call
// does not either, not a 400 blaming the request.
func TestABrokenRouterModelIsAServerErrorNotABadRequest(t *testing.T) {
	nan := router.Prediction{}
	for p := range ctlPrediction() {
		nan[p] = router.Estimate{Quality: math.NaN(), OutputTokens: 100}
	}
	g := newCtlGateway(t, ctlOptions{predictor: &routertest.Predictor{Fixed: nan}})

	resp, raw := g.post(t, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"Hi"}]}`)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s", raw)
	we := errorOf(t, raw)
	require.NotNil(t, we.Error.Code)
	assert.Equal(t, "router_model_unavailable", *we.Error.Code)
	assert.Equal(t, "service_unavailable_error", we.Error.Type)
	assert.Len(t, we.Error.Candidates, len(ctlCatalog().Versions[0].Models), "every model's reason")
	assert.Equal(t, "false", resp.Header.Get("x-should-retry"))

	resp, raw = g.post(t, "/v1/messages", `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}`)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s", raw)
	e := errorShapeOf(t, raw)
	assert.Equal(t, "error", e.Type, "Anthropic's shape")
	assert.Equal(t, "router_model_unavailable", e.Error.Code)
	assert.Empty(t, g.openai.Requests())
	assert.Empty(t, g.anthropic.Requests())
}
