package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// An answer that came after a failover lists the model that failed in
// model_selection_details by the kind of failure only: the provider's
// address (a self-hosted server's internal host and port) is the
// operator's, and stays in the decision log.
func TestAnAnswersFallbacksNameNoUpstreamAddress(t *testing.T) {
	const unreachable = "127.0.0.1:1" // nothing listens: the dial is refused
	e := newE2E(t, func(c *Config) {
		ps := c.Forwarder.(*upstream.Forwarder).Providers
		ps.ByName["meta"] = upstream.Provider{Name: "meta", Kind: upstream.KindOpenAI, BaseURL: "http://" + unreachable + "/v1"}
		c.Forwarder = &upstream.Forwarder{Providers: ps}
		c.Supports, c.Available = ps.Supports, ps.Available
		cat := testCatalog()
		cat.Versions[0].Models = append(cat.Versions[0].Models, testModel("llama", "meta", "Meta", 0.01, 0.02, allCaps))
		pred := testPrediction()
		pred["llama"] = router.Estimate{Quality: 0.95, OutputTokens: 100} // the best and the cheapest: chosen
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(chatBody))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(raw))

	var answer struct {
		Details struct {
			FallbacksTried []struct{ Model, Error string } `json:"fallbacks_tried"`
		} `json:"model_selection_details"`
	}
	require.NoError(t, json.Unmarshal(raw, &answer), string(raw))
	require.NotEmpty(t, answer.Details.FallbacksTried, string(raw))
	assert.Equal(t, "llama", answer.Details.FallbacksTried[0].Model)
	assert.Equal(t, "connection error: connection refused", answer.Details.FallbacksTried[0].Error)
	assert.NotContains(t, string(raw), unreachable, "the client learns the provider's address")

	rec := e.log.waitFor(t, 1)[0]
	require.NotEmpty(t, rec.Attempts)
	assert.Contains(t, rec.Attempts[0].Error, unreachable, "the decision log names the address for the operator")
}
