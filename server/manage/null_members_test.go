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
