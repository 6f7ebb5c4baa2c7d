package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A no_eligible answer names the models the call was routed among (the
// deployment's, the client's routing_config.models, or the one model
// `model` names) and lists only those: a model the call never considered
// is no reason why it could not be served.
func TestNoEligibleNamesTheModelsTheCallConsidered(t *testing.T) {
	g := newCtlGateway(t, ctlOptions{deployments: StaticDeployments{
		{Name: "pair", RouterVersion: ctlVersion, Models: []string{"mid-2025", "tiny-2025"}},
	}})
	// An Anthropic server tool: only Claude's own API carries it.
	const serverTool = `"tools":[{"type":"web_search_20250305","name":"web_search"}],"max_tokens":100,"messages":[{"role":"user","content":"News?"}]`
	const tools = `"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]`
	tests := []struct {
		name, path, body string
		says, notSays    string
		models           []string
	}{
		{name: "a model named in model, on Messages", path: "/v1/messages",
			body: `{"model":"mid-2025",` + serverTool + `}`,
			says: `no model named by "model" can serve this request`, notSays: "routing_config", models: []string{"mid-2025"}},
		{name: "routing_config.models, on Messages", path: "/v1/messages",
			body: `{"model":"model-router","routing_config":{"models":["mid"]},` + serverTool + `}`,
			says: "no model in routing_config.models can serve this request", models: []string{"mid-2025"}},
		{name: "routing_config.models left out by the router", path: "/v1/chat/completions",
			body: `{"model":"model-router","routing_config":{"models":["tiny"]},` + tools + `,"messages":[{"role":"user","content":"Hi"}]}`,
			says: "no model in routing_config.models can serve this request", notSays: "in the deployment", models: []string{"tiny-2025"}},
		{name: "routing_config.models, some left out by the router and others elsewhere", path: "/v1/chat/completions",
			body: `{"model":"model-router","routing_config":{"models":["tiny"]},"logprobs":true,` + tools + `,"messages":[{"role":"user","content":"Hi"}]}`,
			says: "no model in routing_config.models can serve this request", notSays: "claude", models: []string{"tiny-2025"}},
		{name: "the deployment's models", path: "/v1/messages",
			body: `{"model":"pair",` + serverTool + `}`,
			says: "no model in the deployment can serve this request", models: []string{"mid-2025", "tiny-2025"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, raw := g.post(t, tt.path, tt.body)
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", raw)
			var e struct {
				Error struct {
					Message    string                   `json:"message"`
					Code       string                   `json:"code"`
					Candidates []struct{ Model string } `json:"candidates"`
				} `json:"error"`
			}
			require.NoError(t, json.Unmarshal(raw, &e), "%s", raw)
			assert.Equal(t, "no_eligible", e.Error.Code)
			assert.Contains(t, e.Error.Message, tt.says)
			if tt.notSays != "" {
				assert.NotContains(t, e.Error.Message, tt.notSays)
			}
			var listed []string
			for _, c := range e.Error.Candidates {
				listed = append(listed, c.Model)
				assert.Contains(t, e.Error.Message, c.Model)
			}
			assert.ElementsMatch(t, tt.models, listed, "%s", e.Error.Message)
		})
	}
}
