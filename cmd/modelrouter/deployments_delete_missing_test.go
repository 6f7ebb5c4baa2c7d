package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// Deleting a deployment that is already gone succeeds, as the server's
// DELETE does, so a teardown script can run twice; the message does not
// claim a delete that a typo would not have made.
func TestDeploymentsDeleteOfAMissingDeploymentSucceeds(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")

	_, _, err := runCmd(t, "deployments", "put", "mr", "--mode", "cost")
	require.NoError(t, err)
	for range 2 {
		_, stderr, err := runCmd(t, "deployments", "delete", "mr")
		require.NoError(t, err)
		assert.Contains(t, stderr, "deployment mr deleted, or there was none")
	}
	_, _, err = runCmd(t, "deployments", "get", "mr")
	assert.ErrorContains(t, err, "404 Not Found (DeploymentNotFound)")
}
