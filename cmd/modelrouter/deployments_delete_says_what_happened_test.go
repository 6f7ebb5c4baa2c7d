package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// Deleting a deployment that is already gone succeeds, as the server's
// DELETE does, so a teardown script can run twice; the server's 200 or 204
// tells the command which happened, so it says so: a typo is not called a
// delete.
func TestDeploymentsDeleteSaysWhetherADeploymentWasDeleted(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")

	_, _, err := runCmd(t, "deployments", "put", "mr", "--mode", "cost")
	require.NoError(t, err)
	_, stderr, err := runCmd(t, "deployments", "delete", "mr")
	require.NoError(t, err)
	assert.Equal(t, "deployment mr deleted\n", stderr)

	_, stderr, err = runCmd(t, "deployments", "delete", "mr")
	require.NoError(t, err, "a second delete still succeeds")
	assert.Equal(t, "there is no deployment mr; nothing was deleted\n", stderr)

	_, _, err = runCmd(t, "deployments", "get", "mr")
	assert.ErrorContains(t, err, "404 Not Found (DeploymentNotFound)")
}
