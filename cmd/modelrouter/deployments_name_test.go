package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/manage"
)

// An empty deployment name (a script's unset "$NAME") names no deployment:
// `deployments get ""` must not print the whole list as if it were one
// deployment and succeed, and delete and put must say what is wrong rather
// than pass on the server's "404 page not found".
func TestDeploymentsRefusesAnEmptyName(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	for _, args := range [][]string{{"get", ""}, {"delete", ""}, {"put", "", "--mode", "cost"}} {
		stdout, _, err := runCmd(t, append([]string{"deployments"}, args...)...)
		assert.ErrorContains(t, err, "the deployment name is empty", "%q", args)
		assert.Equal(t, 2, exitCode(err), "%q: a wrong command line", args)
		assert.Empty(t, stdout, "%q", args)
	}
}

// `deployments put unknown` (any case) fails with the server's 400: the
// name is /metrics' label for deployment names that were not found.
func TestDeploymentsPutRefusesTheReservedNameUnknown(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	for _, name := range []string{"unknown", "Unknown"} {
		_, _, err := runCmd(t, "deployments", "put", name, "--mode", "cost")
		assert.ErrorContains(t, err, "400 Bad Request (InvalidResourceName)", name)
		assert.ErrorContains(t, err, "is reserved", name)
		_, _, err = runCmd(t, "deployments", "get", name)
		assert.ErrorContains(t, err, "404", "%s: nothing was written", name)
	}
}
