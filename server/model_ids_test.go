package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// GET /v1/models lists the models under each deployment too, and generic
// OpenAI clients (model pickers, LangChain/LiteLLM discovery) take every
// listed id as callable: a model's id as `model` pins the call to that
// model, through the deployment that lists it.
func TestEveryListedModelIDIsCallable(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	page, err := client.Models.List(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, page.Data)
	for _, m := range page.Data {
		resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
			Model:    m.ID,
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		})
		require.NoError(t, err, "GET /v1/models lists %q", m.ID)
		if m.ID != DefaultDeploymentName {
			assert.Equal(t, m.ID, resp.Model, "naming a model pins the call to it")
		}
	}
	recs := e.log.all()
	require.NotEmpty(t, recs)
	for _, r := range recs {
		assert.Equal(t, DefaultDeploymentName, r.Decision.Deployment, "the deployment that lists the model counts the call")
	}
}

// A call naming a model cannot also ask routing_config.models for others.
func TestAModelIDCallRefusesOtherRoutingModels(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "nano",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"large"}}))
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "routing_config.models", apiErr.Param)

	st, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusNotFound, st, "%s", body)
}
