package upstream_test

// Providers other than OpenAI and Anthropic say "the model you asked for is
// not here" or "this key may not call this resource" in their own words.
// Each is about the gateway's configuration (its base URL, API version,
// deployment, network rules or key), which the client did not choose: the
// next model answers, as for OpenAI's model_not_found. Passed through, the
// client's SDK reports its own request as wrong and the misconfigured model
// counts as healthy, so every later call meets the same refusal.

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestAnOpenAICompatibleServersUnknownModel404FailsOver(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		// vLLM (and SGLang) nest the error since ErrorResponse{error: ErrorInfo}; code is the HTTP status.
		{"vLLM", `{"error":{"message":"The model ` + "`broken`" + ` does not exist.","type":"NotFoundError","param":"model","code":404}}`},
		{"OpenRouter", `{"error":{"message":"No endpoints found for broken.","code":404}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusNotFound, "application/json", tc.body))
			out, rec := m.call(t, upstream.APIChatCompletions, false)
			assert.Equal(t, "good-id", out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
			assert.Contains(t, rec.Body.String(), m.goodAnswer)
		})
	}
}

func TestA404AboutAClientsIDWhoseNameContainsTheModelsReachesTheClient(t *testing.T) {
	body := `{"error":{"message":"No vector store found with id 'vs_brokenabc'.","type":"invalid_request_error","param":null,"code":null}}`
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusNotFound, "application/json", body))
	out, rec := m.call(t, upstream.APIChatCompletions, false)
	assert.Equal(t, http.StatusNotFound, out.Status, "%v", out.Err)
	assert.JSONEq(t, body, rec.Body.String(), "as the provider sent it")
	assert.Len(t, out.Attempts, 1, "no other model is asked")
}

func TestAzureRefusalsOfTheGatewaysSetupFailOver(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		// A wrong api-version or path: Azure's front door answers for the resource, not a deployment.
		{"resource not found", http.StatusNotFound, `{"error":{"code":"404","message":"Resource not found"}}`},
		{"network rules", http.StatusForbidden, `{"error":{"code":"403","message":"Access denied due to Virtual Network/Firewall rules."}}`},
		{"key authentication disabled", http.StatusForbidden, `{"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this resource."}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindAzure, writes(tc.status, "application/json", tc.body))
			out, rec := m.call(t, upstream.APIChatCompletions, false)
			assert.Equal(t, "good-id", out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
			assert.Contains(t, rec.Body.String(), m.goodAnswer)
		})
	}
}
