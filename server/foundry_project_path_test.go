package server

// The reference calls the router with the Foundry SDK: azure-ai-projects'
// AIProjectClient(endpoint=project_endpoint).get_openai_client() is an
// OpenAI client whose base URL is the project endpoint
// ({account}.services.ai.azure.com/api/projects/{project}) with
// "/openai/v1" appended, and a bearer token. Pointed at the gateway as
// http://host/api/projects/{project}, its calls land under that path.

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
