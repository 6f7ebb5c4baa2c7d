package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// When the model that wrote a stored answer is no longer in the catalog (the
// router model was switched to one whose catalog lacks it, or a new build
// retired it), no model here is known to reach its provider: the
// continuation is a 400, not the client's new input sent to another
// provider (here DeepSeek), which cannot know the id.
func TestContinuationOfAnUnknownWriterStaysOffOtherProviders(t *testing.T) {
	deepseek := upstreamtest.NewOpenAI(t)
	var rt *router.Router
	e := newE2E(t, func(c *Config) {
		ps := c.Forwarder.(*upstream.Forwarder).Providers
		ps.ByName["deepseek"] = upstream.Provider{Name: "deepseek", Kind: upstream.KindOpenAI, BaseURL: deepseek.URL}
		c.Forwarder = &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second}
		c.Supports, c.Available = ps.Supports, ps.Available
		var err error
		rt, err = router.New(router.Config{Catalog: testCatalog(),
			Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: ps.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	ctx := context.Background()
	client := e.clients()["v1"]

	made, err := client.Responses.New(ctx, ask("Name a lake."), onModel("large"))
	require.NoError(t, err)
	require.Equal(t, "large", made.Model)

	// The router model is switched: its catalog has no "large", and has a
	// DeepSeek model it ranks first.
	cat := testCatalog()
	ms := cat.Versions[0].Models
	ms = append(ms[1:], testModel("ds", "deepseek", "DeepSeek", 0.05, 0.1, allCaps))
	cat.Versions[0].Models = ms
	pred := testPrediction()
	pred["ds"] = router.Estimate{Quality: 0.95, OutputTokens: 100}
	require.NoError(t, rt.Reload(cat, &routertest.Predictor{Fixed: pred}, router.Bands{}, ""))

	_, err = client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(made.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And its depth?")},
	})
	// Refused with OpenAI's code for an answer it no longer has, which
	// clients read to send the whole conversation instead.
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "previous_response_not_found", apiErr.Code)
	assert.Contains(t, apiErr.Message, "send the whole conversation in input")
	for _, r := range deepseek.Requests() {
		assert.False(t, strings.Contains(string(r.Body), made.ID),
			"the continuation of %s's answer (stored at OpenAI) went to DeepSeek: %s", "large", r.Body)
	}
}
