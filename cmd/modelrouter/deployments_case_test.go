package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// `deployments` names a deployment in any case, as the server compares
// names: put in another case replaces it, get and delete find it, and it
// is shown under the name it was created with.
func TestDeploymentsNamesAnyCase(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "cli.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	startManagementAPIOn(t, st, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")

	_, _, err = runCmd(t, "deployments", "put", "mr", "--mode", "cost")
	require.NoError(t, err)
	out, _, err := runCmd(t, "deployments", "put", "Mr", "--mode", "quality", "--capacity", "30")
	require.NoError(t, err)
	var r manage.Resource
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, "mr", r.Name)

	out, _, err = runCmd(t, "deployments", "get", "MR")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, "mr", r.Name)
	assert.Equal(t, "quality", r.Properties.Routing.Mode)
	assert.Equal(t, 30, r.SKU.Capacity)

	out, _, err = runCmd(t, "deployments", "list")
	require.NoError(t, err)
	assert.Len(t, regexp.MustCompile(`(?mi)^mr\s`).FindAllString(out, -1), 1, "one deployment: %s", out)

	_, _, err = runCmd(t, "deployments", "delete", "MR")
	require.NoError(t, err)
	_, _, err = runCmd(t, "deployments", "get", "mr")
	assert.ErrorContains(t, err, "404 Not Found (DeploymentNotFound)")
}
