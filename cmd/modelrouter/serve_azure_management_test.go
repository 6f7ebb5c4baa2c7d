package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The reference deploys, reads and deletes a model router at Azure
// Resource Manager's path of a Foundry account. The same calls, with only
// the host changed to the gateway, manage its deployments, which the
// gateway's own paths and its calls see at once.
func TestTheReferencesManagementPathManagesDeployments(t *testing.T) {
	const key = "azure-admin"
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
		o.adminKey = secret(key)
	})
	account := base + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-resource-group" +
		"/providers/Microsoft.CognitiveServices/accounts/my-foundry-account/deployments"
	const apiVersion = "?api-version=2025-10-01-preview"

	status, body := call(t, http.MethodPut, account+"/model-router-deployment"+apiVersion, key, subsetDeployment)
	require.Equal(t, http.StatusCreated, status, body)

	status, body = call(t, http.MethodGet, account+"/model-router-deployment"+apiVersion, key, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"mode":"cost"`)
	status, body = call(t, http.MethodGet, account+apiVersion, key, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"model-router-deployment"`)
	status, body = call(t, http.MethodGet, base+"/deployments/model-router-deployment", key, "")
	require.Equal(t, http.StatusOK, status, "created at Azure's path, read at the gateway's: %s", body)
	// As az and Terraform spell the path: Azure matches it in any case.
	status, body = call(t, http.MethodGet, base+"/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/my-resource-group"+
		"/providers/microsoft.cognitiveservices/accounts/my-foundry-account/deployments/model-router-deployment"+apiVersion, key, "")
	require.Equal(t, http.StatusOK, status, "read at Azure's path in lower case: %s", body)
	status, _ = call(t, http.MethodGet, account+apiVersion, "", "")
	assert.Equal(t, http.StatusUnauthorized, status, "the admin key guards Azure's path too")

	status, body = call(t, http.MethodPost, base+"/openai/deployments/model-router-deployment/chat/completions"+apiVersion, "",
		`{"messages": [{"role": "user", "content": "hi"}]}`)
	require.Equal(t, http.StatusOK, status, body)
	var answer struct {
		Model string `json:"model"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &answer), body)
	assert.Equal(t, gpt41, answer.Model, "the deployment's subset, gpt-4.1 alone, answers")

	status, body = call(t, http.MethodDelete, account+"/model-router-deployment"+apiVersion, key, "")
	assert.Equal(t, http.StatusOK, status, body)
	status, _ = call(t, http.MethodGet, base+"/deployments/model-router-deployment", key, "")
	assert.Equal(t, http.StatusNotFound, status, "deleted at Azure's path, gone from the gateway's")
}
