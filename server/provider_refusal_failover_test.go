package server

// A provider's refusal that says nothing about the client's request: the
// gateway's own key rejected, or a model the provider account does not
// serve (an Azure deployment not made, a model the OpenAI project has no
// access to). The client picked the deployment, not the model; another
// model can answer, and the client's SDK must not read the refusal as its
// own key or its own model being wrong.

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestAProviderRefusingTheGatewayNotTheClientFailsOver(t *testing.T) {
	tests := []struct {
		name    string
		refuse  func(e *e2e)
		subset  []string
		refuser string
		status  int
	}{
		{
			// Azure answers 404 DeploymentNotFound, OpenAI 404
			// model_not_found, for a model the account does not serve.
			name:   "a model its provider does not serve (404)",
			refuse: func(e *e2e) { e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusNotFound}) },
			subset: []string{"mini", "nano", "large"}, refuser: "mini", status: http.StatusNotFound,
		},
		{
			// The Anthropic key configured for the gateway is revoked.
			name:   "a provider that rejects the gateway's key (401)",
			refuse: func(e *e2e) { e.anthropic.Key = "sk-upstream-anthropic-rotated" },
			subset: []string{"claude", "nano"}, refuser: "claude", status: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			tt.refuse(e)
			client := e.clients()["v1"]
			resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
				Model:    "model-router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
			}, option.WithJSONSet("routing_config", map[string]any{"models": tt.subset}))
			var apiErr *openai.Error
			if assert.NoError(t, err, "another model answers") {
				assert.NotEqual(t, tt.refuser, resp.Model)
				d := selection(t, extraOf(resp.JSON.ExtraFields))
				assert.Equal(t, tt.refuser, d["chosen_model"])
				tried, _ := d["fallbacks_tried"].([]any)
				require.Len(t, tried, 1)
				assert.Equal(t, tt.refuser, tried[0].(map[string]any)["model"])
				assert.EqualValues(t, tt.status, tried[0].(map[string]any)["status"])
			} else if assert.ErrorAs(t, err, &apiErr) {
				assert.NotEqual(t, http.StatusUnauthorized, apiErr.StatusCode, "the client's own key was accepted")
				assert.NotEqual(t, http.StatusNotFound, apiErr.StatusCode, "the client's deployment exists")
			}
		})
	}
}
