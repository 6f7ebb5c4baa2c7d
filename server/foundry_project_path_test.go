package server

// The reference calls the router with the Foundry SDK: azure-ai-projects'
// AIProjectClient(endpoint=project_endpoint).get_openai_client() is an
// OpenAI client whose base URL is the project endpoint
// ({account}.services.ai.azure.com/api/projects/{project}) with
// "/openai/v1" appended, and a bearer token. Pointed at the gateway as
// http://host/api/projects/{project}, its calls land under that path.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAFoundryProjectClientReachesTheRouter(t *testing.T) {
	e := newE2E(t)
	client := openai.NewClient(
		option.WithBaseURL(e.url+"/api/projects/my-project/openai/v1/"),
		option.WithAPIKey(e2eKey),
		option.WithMaxRetries(0))
	ctx := context.Background()

	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("In one sentence, name the most popular tourist destination in Seattle.")},
	})
	require.NoError(t, err)
	assert.Equal(t, "/api/projects/my-project/openai/v1/responses? bearer=true", e.lastSeen())
	assert.Equal(t, "mini", resp.Model, "the answer names the model that answered")
	got, err := client.Responses.Get(ctx, resp.ID, responses.ResponseGetParams{})
	require.NoError(t, err, "the answer is read back by id on the same client")
	assert.Equal(t, resp.ID, got.ID)

	chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	require.NoError(t, err)
	assert.Equal(t, "mini", chat.Model)

	page, err := client.Models.List(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, page.Data, "the deployments are listed")

	status, _, raw := postRaw(t, e, http.MethodPost, "/api/projects/my-project/openai/v1/route", `{"model": "model-router", "messages": [{"role": "user", "content": "hi"}]}`)
	assert.Equal(t, http.StatusNotFound, status, "the gateway's own extensions stay on /v1: %s", raw)
}

// The project endpoint's routes check the key as /v1's do: a call without
// one, or with a wrong one, is refused 401 in OpenAI's error shape (what
// the project client's SDK reads), reaches no provider and logs nothing.
func TestAFoundryProjectCallWithoutAKeyIsRefused(t *testing.T) {
	e := newE2E(t)
	const project = "/api/projects/my-project/openai/v1"
	calls := []struct{ method, path, body string }{
		{http.MethodPost, "/chat/completions", `{"model": "model-router", "messages": [{"role": "user", "content": "hi"}]}`},
		{http.MethodPost, "/responses", `{"model": "model-router", "input": "hi"}`},
		{http.MethodGet, "/responses/resp_1", ""},
		{http.MethodDelete, "/responses/resp_1", ""},
		{http.MethodPost, "/responses/resp_1/cancel", ""},
		{http.MethodGet, "/responses/resp_1/input_items", ""},
		{http.MethodGet, "/models", ""},
		{http.MethodGet, "/models/model-router", ""},
	}
	for _, call := range calls {
		for _, key := range []string{"", "sk-not-a-key"} {
			req, err := http.NewRequest(call.method, e.url+project+call.path, strings.NewReader(call.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			var body struct {
				Error struct {
					Message string `json:"message"`
					Type    string `json:"type"`
				} `json:"error"`
			}
			decodeErr := json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			name := call.method + " " + call.path + " key=" + key
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
			require.NoError(t, decodeErr, name)
			assert.Equal(t, "authentication_error", body.Error.Type, name)
			assert.NotEmpty(t, body.Error.Message, name)
		}
	}

	// The project client's SDK sees OpenAI's error.
	client := openai.NewClient(option.WithBaseURL(e.url+project+"/"), option.WithAPIKey("sk-not-a-key"), option.WithMaxRetries(0))
	_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Equal(t, "authentication_error", apiErr.Type)

	assert.Empty(t, e.openai.Requests(), "no refused call reached a provider")
	assert.Empty(t, e.anthropic.Requests())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, e.srv.Wait(ctx))
	assert.Empty(t, e.log.all(), "a refused key decided nothing: no decision row")
}
