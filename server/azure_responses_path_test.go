package server

// The Azure OpenAI clients (openai-go's azure.WithEndpoint, openai-python's
// AzureOpenAI) put the deployment in the path only for Chat Completions,
// completions and embeddings; every other route, the Responses API
// included, goes to {endpoint}/openai/<route>?api-version=..., with the
// deployment as `model` in the body (Azure's own Responses URL is
// /openai/responses?api-version=...). The client below is configured as
// azure.WithEndpoint configures it (that package needs azcore, which this
// module does not carry).

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAzureOpenAIClientReachesTheResponsesAPI(t *testing.T) {
	e := newE2E(t)
	client := openai.NewClient(
		option.WithBaseURL(e.url+"/openai/"),
		option.WithQuery("api-version", "2025-04-01-preview"),
		option.WithHeaderDel("Authorization"),
		option.WithHeader("api-key", e2eKey),
		option.WithMaxRetries(0))
	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Write a haiku about routers")},
	})
	require.NoError(t, err)
	assert.Equal(t, "/openai/responses?api-version=2025-04-01-preview bearer=false", e.lastSeen())
	assert.Equal(t, "mini", resp.Model)
	assert.Equal(t, "Hello from mini.", resp.OutputText())

	got, err := client.Responses.Get(context.Background(), resp.ID, responses.ResponseGetParams{})
	require.NoError(t, err, "the answer is read back by id on the same client")
	assert.Equal(t, resp.ID, got.ID)
}

// The Azure paths are the /v1 routes under another name: the same key
// check (a refused key writes no row), the same deployment capacity and
// the same decision log.
func TestAzureResponsesPathsAreKeyedLimitedAndLogged(t *testing.T) {
	lim := &countingLimiter{}
	srv, log, fwd := newTestServer(t, func(c *Config) {
		c.RequireKeys, c.Keys, c.Limiter = true, keyStore{"sk-good": true}, lim
	})
	h := srv.Handler()
	const path = "/openai/responses?api-version=2025-04-01-preview"
	body := `{"model":"model-router","input":"hi"}`

	w := do(h, http.MethodPost, path, body)
	assert.Equal(t, http.StatusUnauthorized, w.Code, w.Body.String())
	assert.Empty(t, log.all(), "the refused call decided nothing: no row")

	w = do(h, http.MethodPost, path, body, "api-key", "sk-good")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "9000", w.Header().Get("X-Ratelimit-Remaining-Tokens"), "the deployment's limiter admitted it")
	assert.Positive(t, lim.est.Load())
	rec := log.waitFor(t, 1)[0]
	assert.Equal(t, "responses", rec.API)
	assert.Equal(t, "model-router", rec.Decision.Deployment)
	assert.Equal(t, http.StatusOK, rec.Status)
	assert.Equal(t, int64(1), fwd.calls.Load(), "only the keyed call was forwarded")

	for _, get := range []string{"/openai/models?api-version=2025-04-01-preview", "/openai/responses/resp_1?api-version=2025-04-01-preview",
		"/openai/responses/resp_1/input_items?api-version=2025-04-01-preview"} {
		assert.Equal(t, http.StatusUnauthorized, do(h, http.MethodGet, get, "").Code, get)
	}
	assert.Equal(t, http.StatusUnauthorized, do(h, http.MethodDelete, "/openai/responses/resp_1?api-version=1", "").Code)
	assert.Equal(t, http.StatusUnauthorized, do(h, http.MethodPost, "/openai/responses/resp_1/cancel?api-version=1", "").Code)

	w = do(h, http.MethodGet, "/openai/models?api-version=2025-04-01-preview", "", "api-key", "sk-good")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"id":"model-router"`)
	w = do(h, http.MethodGet, "/openai/responses/resp_1?api-version=2025-04-01-preview", "", "api-key", "sk-good")
	assert.NotContains(t, w.Body.String(), "no route", "an unknown id, not an unknown path")
}
