package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Azure's portal shows the endpoint as the resource root and, for its v1
// API, as ".../openai/v1/"; an SDK's base URL is ".../openai". Pasted in
// any of these forms, a call through the gateway reaches the deployment
// with the key in api-key. The v1 form gets the v1 route, which names the
// deployment in `model` and takes no api-version.
func TestAzureEndpointInEveryFormTheUserMayPasteIt(t *testing.T) {
	const deployments = "/openai/deployments/gpt-dep/chat/completions"
	tests := []struct {
		suffix    string
		chatPath  string
		chatQuery string
	}{
		{"", deployments, "api-version=2025-01-01"},
		{"/", deployments, "api-version=2025-01-01"},
		{"/openai", deployments, "api-version=2025-01-01"},
		{"/openai/", deployments, "api-version=2025-01-01"},
		{"/openai/v1", "/openai/v1/chat/completions", ""},
		{"/openai/v1/", "/openai/v1/chat/completions", ""},
	}
	for _, tt := range tests {
		t.Run("endpoint"+tt.suffix, func(t *testing.T) {
			fake := upstreamtest.NewOpenAI(t)
			fake.Key = "az-key"
			fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{
				"AZURE_OPENAI_ENDPOINT": fake.Root + tt.suffix, "AZURE_OPENAI_API_KEY": "az-key", "OPENAI_API_VERSION": "2025-01-01",
			}))}

			chat := newGateway(t, fwd, upstream.APIChatCompletions, openAIModel("gpt-dep"))
			status, _, body := chat.post(t, "/chat/completions", chatBody)
			require.Equal(t, 200, status, string(body))
			chat.outcome(t)

			responses := newGateway(t, fwd, upstream.APIResponses, openAIModel("gpt-dep"))
			status, _, body = responses.post(t, "/responses", `{"model":"router","input":"hi"}`)
			require.Equal(t, 200, status, string(body))
			responses.outcome(t)

			reqs := fake.RequestsFor("gpt-dep")
			require.Len(t, reqs, 2)
			assert.Equal(t, tt.chatPath, reqs[0].Path)
			assert.Equal(t, tt.chatQuery, reqs[0].Query)
			assert.Equal(t, "gpt-dep", decode(t, string(reqs[0].Body))["model"], "the v1 route reads the deployment from model")
			assert.Equal(t, "/openai/v1/responses", reqs[1].Path)
			assert.Empty(t, reqs[1].Query)
			for _, r := range reqs {
				assert.Equal(t, "az-key", r.Header.Get("api-key"))
				assert.Empty(t, r.Header.Get("Authorization"))
			}
		})
	}
}
