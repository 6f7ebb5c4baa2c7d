package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// `deployments put --paused` pauses a router (Azure's deploymentState
// "Paused"), `list` marks it so, and a put without the flag runs it again;
// the flag is refused where it would be dropped unseen: with --file, and
// with --model, which no call names.
func TestDeploymentsPutPausedPausesARouterAndListShowsIt(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	cli := func(args ...string) (string, error) {
		stdout, _, err := runCmd(t, append([]string{"deployments"}, args...)...)
		return stdout, err
	}

	out, err := cli("put", "held", "--mode", "cost", "--paused")
	require.NoError(t, err)
	assert.Contains(t, out, `"deploymentState": "Paused"`)
	out, err = cli("list")
	require.NoError(t, err)
	assert.Contains(t, out, "cost (paused)")

	out, err = cli("put", "held", "--mode", "cost")
	require.NoError(t, err)
	assert.NotContains(t, out, "deploymentState")
	out, err = cli("list")
	require.NoError(t, err)
	assert.NotContains(t, out, "paused")

	_, err = cli("put", "held", "--file", "-", "--paused")
	assert.ErrorContains(t, err, "--file replaces")
	_, err = cli("put", "sonnet", "--model", "claude-sonnet-4-5-20250929", "--paused")
	assert.ErrorContains(t, err, "apply to routers only")
}
