package manage_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Azure's GET bodies, and Terraform's, carry null for the optional members
// they leave unset. A GET-then-PUT body with such nulls is taken, each null
// read as the member left out, and a serviceTier with spaces around it is
// trimmed as the other members are.
func TestAGetThenPutBodyWithNullOptionalMembersIsTaken(t *testing.T) {
	e := newEnv(t, adminKey)
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	w := e.do(http.MethodPut, account+"/unset", withServiceTier(defaultDeployment, " Default "))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"serviceTier":"Default"`, "trimmed, stored as Azure spells it")

	w = e.do(http.MethodGet, account+"/unset", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var got map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	props := got["properties"].(map[string]any)
	for _, member := range []string{"serviceTier", "versionUpgradeOption", "deploymentState",
		"raiPolicyName", "scaleSettings", "spilloverDeploymentName"} {
		props[member] = nil
	}
	got["tags"] = nil
	body, err := json.Marshal(got)
	require.NoError(t, err)
	require.True(t, strings.Contains(string(body), `"serviceTier":null`), string(body))

	w = e.do(http.MethodPut, account+"/unset", string(body))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	for _, member := range []string{"serviceTier", "versionUpgradeOption", "deploymentState", "tags", "null"} {
		assert.NotContains(t, w.Body.String(), member, "a null is the member left out, which a PUT clears")
	}
}

// azShowBody is a deployment as `az cognitiveservices account deployment
// show` prints it: Azure's Deployment resource with null for every member
// Azure left unset, in the sku and the model too (Sku's tier, size and
// family, DeploymentModel's publisher, source and sourceAccount).
const azShowBody = `{
  "etag": "\"0a0b0c0d-0000-0700-0000-000000000000\"",
  "id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments/az-shaped",
  "name": "az-shaped",
  "resourceGroup": "g",
  "properties": {
    "callRateLimit": null,
    "capabilities": {"chatCompletion": "true"},
    "currentCapacity": 10,
    "deploymentState": null,
    "dynamicThrottlingEnabled": null,
    "model": {"callRateLimit": null, "format": "OpenAI", "name": "model-router", "publisher": null,
      "source": null, "sourceAccount": null, "version": "2025-11-18"},
    "provisioningState": "Succeeded",
    "raiPolicyName": null,
    "rateLimits": [{"count": 10.0, "key": "request", "renewalPeriod": 10.0}],
    "routing": {"mode": "cost", "models": null},
    "scaleSettings": null,
    "serviceTier": null,
    "spilloverDeploymentName": null,
    "versionUpgradeOption": null
  },
  "sku": {"capacity": 10, "family": null, "name": "GlobalStandard", "size": null, "tier": null},
  "systemData": {"createdAt": "2025-12-01T10:00:00.000000+00:00", "createdBy": null, "createdByType": null,
    "lastModifiedAt": "2025-12-01T10:00:00.000000+00:00", "lastModifiedBy": null, "lastModifiedByType": null},
  "tags": null,
  "type": "Microsoft.CognitiveServices/accounts/deployments"
}`

// A null in a PUT body is, to Azure Resource Manager, the member left
// unset, wherever it is: so the body az prints for a deployment, nulls in
// its sku and model included, is taken as written, while a member the
// gateway does not know is still refused once it has a value.
func TestAnAzShowBodyWithNullsAtAnyDepthIsTaken(t *testing.T) {
	e := newEnv(t, adminKey)
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	w := e.do(http.MethodPut, account+"/az-shaped?api-version=2025-10-01-preview", azShowBody)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	got := w.Body.String()
	assert.Contains(t, got, `"mode":"cost"`, "the settings the body makes are kept")
	assert.Contains(t, got, `"sku":{"name":"GlobalStandard","capacity":10}`)
	assert.NotContains(t, got, "null", "a null is the member left out")

	for _, set := range []struct{ null, value, member string }{
		{`"tier": null`, `"tier": "Standard"`, "tier"},
		{`"publisher": null`, `"publisher": "OpenAI"`, "publisher"},
		{`"sourceAccount": null`, `"sourceAccount": "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/b"`, "sourceAccount"},
		{`"raiPolicyName": null`, `"raiPolicyName": "Microsoft.Default"`, "properties.raiPolicyName"},
	} {
		w = e.do(http.MethodPut, account+"/az-shaped", replaceOnce(t, azShowBody, set.null, set.value))
		require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", set.member, w.Body.String())
		assert.Contains(t, w.Body.String(), set.member)
	}
}

// A null is the member left out in the objects of an array too, as in
// those of the body's other objects: a subset whose models az prints with
// null for their unset members (publisher, source) is taken, and a member
// the gateway does not know there is still refused once it has a value.
func TestNullMembersOfAnArraysObjectsAreReadAsLeftOut(t *testing.T) {
	e := newEnv(t, adminKey)
	subset := `"models": [{"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14", "publisher": null, "source": null},
		{"format": "OpenAI", "name": "gpt-5.2", "version": "2025-12-11", "publisher": null}]`
	body := replaceOnce(t, azShowBody, `"models": null`, subset)
	const path = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments/az-shaped"
	w := e.do(http.MethodPut, path, body)
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"name":"gpt-4.1"`, "the subset is kept")
	assert.NotContains(t, w.Body.String(), "publisher")

	w = e.do(http.MethodPut, path, replaceOnce(t, body, `"source": null`, `"source": "elsewhere"`))
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), "source")
}
