package manage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// azureGetBody is a deployment as Azure's Deployments - Get answers it
// (2025-10-01-preview), with the members only its answers carry.
const azureGetBody = `{
  "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments/round-trip",
  "name": "round-trip",
  "type": "Microsoft.CognitiveServices/accounts/deployments",
  "etag": "\"0a0b0c0d-0000-0700-0000-000000000000\"",
  "sku": {"name": "GlobalStandard", "capacity": 10},
  "systemData": {"createdBy": "someone@example.com", "createdByType": "User", "createdAt": "2025-12-01T10:00:00.0000000Z",
    "lastModifiedBy": "someone@example.com", "lastModifiedByType": "User", "lastModifiedAt": "2025-12-01T10:00:00.0000000Z"},
  "properties": {
    "model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18", "callRateLimit": {"count": 10, "renewalPeriod": 60}},
    "routing": {"mode": "cost"},
    "provisioningState": "Succeeded",
    "currentCapacity": 10,
    "dynamicThrottlingEnabled": false,
    "capabilities": {"chatCompletion": "true", "area": "EUR"},
    "rateLimits": [{"key": "request", "renewalPeriod": 10, "count": 10}, {"key": "token", "renewalPeriod": 60, "count": 10000}],
    "callRateLimit": {"count": 10, "renewalPeriod": 60}
  }
}`

// An Azure user reads a deployment, changes it and PUTs it back, as az,
// Terraform and scripts do: the members only Azure's answers carry come
// back in the PUT and are ignored, while a member a client sets, misspelt,
// is still refused rather than silently dropped.
func TestAGetBodyOfAzuresPutBackIsAccepted(t *testing.T) {
	e := newEnv(t, adminKey)
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	w := e.do(http.MethodPut, account+"/round-trip?api-version=2025-10-01-preview", azureGetBody)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())

	w = e.do(http.MethodGet, "/deployments/round-trip", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	got := w.Body.String()
	assert.Contains(t, got, `"mode":"cost"`, "the settings the body makes are kept")
	for _, ignored := range []string{"rateLimits", "capabilities", "callRateLimit", "currentCapacity", "dynamicThrottlingEnabled", "createdBy", "2025-12-01"} {
		assert.NotContains(t, got, ignored, "read-only members are not stored")
	}
	assert.Contains(t, got, `"createdAt":"2026-01-02T03:04:05Z"`, "systemData is the gateway's")

	// The gateway's own GET body, changed and put back.
	w = e.do(http.MethodPut, "/deployments/round-trip", replaceOnce(t, got, `"mode":"cost"`, `"mode":"quality"`))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"mode":"quality"`)

	for _, typo := range []struct{ body, member string }{
		{replaceOnce(t, azureGetBody, `"routing"`, `"routnig"`), "routnig"},
		{replaceOnce(t, azureGetBody, `"rateLimits"`, `"rateLimit"`), "rateLimit"},
		{replaceOnce(t, azureGetBody, `"format"`, `"fromat"`), "fromat"},
		{replaceOnce(t, azureGetBody, `"sku"`, `"skus"`), "skus"},
	} {
		w = e.do(http.MethodPut, "/deployments/round-trip", typo.body)
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", typo.member, w.Body.String())
		apiErr := decodeErr(t, w)
		assert.Equal(t, manage.CodeInvalidBody, apiErr.Error.Code)
		assert.Contains(t, apiErr.Error.Message, `"`+typo.member+`"`)
	}
	w = e.do(http.MethodGet, "/deployments/round-trip", "")
	assert.Contains(t, w.Body.String(), `"mode":"quality"`, "a refused PUT changed nothing")
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	require.Contains(t, s, old)
	return strings.Replace(s, old, new, 1)
}
