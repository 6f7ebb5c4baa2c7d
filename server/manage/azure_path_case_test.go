package manage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Azure Resource Manager matches a resource's path in any case, and its
// clients send it so: az and Terraform's provider lower resourceGroups and
// the provider namespace in the ids they build. Each spelling of the fixed
// segments reaches the deployments under Azure's path; the variable ones
// (subscription, group, account, name) are taken as sent.
func TestAzuresManagementPathIsMatchedInAnyCase(t *testing.T) {
	e := newEnv(t, adminKey)
	accounts := []string{
		"/subscriptions/s/resourceGroups/My-Group/providers/Microsoft.CognitiveServices/accounts/acct/deployments",
		"/subscriptions/s/resourcegroups/My-Group/providers/microsoft.cognitiveservices/accounts/acct/deployments",
		"/SUBSCRIPTIONS/s/RESOURCEGROUPS/My-Group/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/acct/DEPLOYMENTS",
		"/Subscriptions/s/ResourceGroups/My-Group/Providers/Microsoft.CognitiveServices/Accounts/acct/Deployments",
	}
	for i, account := range accounts {
		name := "router-" + string(rune('a'+i))
		w := e.do(http.MethodPut, account+"/"+name+"?api-version=2025-10-01-preview", defaultDeployment)
		require.Equal(t, http.StatusCreated, w.Code, "%s: %s", account, w.Body.String())
		w = e.do(http.MethodGet, account+"/"+name, "")
		require.Equal(t, http.StatusOK, w.Code, "%s: %s", account, w.Body.String())
		assert.Contains(t, w.Body.String(), `"name":"`+name+`"`)
		w = e.do(http.MethodGet, account, "")
		require.Equal(t, http.StatusOK, w.Code, "%s: %s", account, w.Body.String())
		assert.Contains(t, w.Body.String(), `"name":"`+name+`"`)
		w = e.doWith(http.MethodGet, account, "", nil)
		assert.Equal(t, http.StatusUnauthorized, w.Code, "%s: the admin key guards every spelling", account)
		w = e.do(http.MethodDelete, account+"/"+name, "")
		assert.Equal(t, http.StatusOK, w.Code, "%s: %s", account, w.Body.String())
	}
	// The gateway's own paths are not Azure's: they stay as registered.
	w := e.do(http.MethodGet, "/Deployments", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
	// A path that only starts as Azure's is not changed into it.
	w = e.do(http.MethodGet, strings.Replace(accounts[1], "/deployments", "/models", 1), "")
	assert.Equal(t, http.StatusNotFound, w.Code)
}
