package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// An admin's script does a safe read-modify-write: `deployments get` prints
// the deployment with its etag, and `put` or `delete` with --if-match that
// etag writes only while nobody else has changed it since. Once someone
// has, the command fails, says that nothing was written and how to go on,
// and the other change stands.
func TestDeploymentsPutAndDeleteWithIfMatchKeepAnotherAdminsChange(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	_, _, err := runCmd(t, "deployments", "put", "mr", "--mode", "cost")
	require.NoError(t, err)

	out, _, err := runCmd(t, "deployments", "get", "mr")
	require.NoError(t, err)
	var read struct {
		Etag string `json:"etag"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &read), out)
	require.NotEmpty(t, read.Etag, "get shows the etag: %s", out)

	// Another admin changes it in between.
	_, _, err = runCmd(t, "deployments", "put", "mr", "--mode", "balanced")
	require.NoError(t, err)

	_, _, err = runCmd(t, "deployments", "put", "mr", "--mode", "quality", "--if-match", read.Etag)
	require.Error(t, err)
	for _, want := range []string{"412", "does not match deployment mr", "nothing was written", "modelrouter deployments get mr"} {
		assert.ErrorContains(t, err, want)
	}
	_, _, err = runCmd(t, "deployments", "delete", "mr", "--if-match", read.Etag)
	require.Error(t, err)
	assert.ErrorContains(t, err, "nothing was deleted")
	out, _, err = runCmd(t, "deployments", "get", "mr")
	require.NoError(t, err)
	assert.Contains(t, out, `"mode": "balanced"`, "the other admin's change stands")

	require.NoError(t, json.Unmarshal([]byte(out), &read), out)
	out, _, err = runCmd(t, "deployments", "put", "mr", "--mode", "quality", "--if-match", read.Etag)
	require.NoError(t, err, "the etag just read matches")
	assert.Contains(t, out, `"mode": "quality"`)
	var written struct {
		Etag string `json:"etag"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &written), out)
	// A shell strips the quotes of --if-match "..." unless escaped: the bare tag works too.
	_, _, err = runCmd(t, "deployments", "delete", "mr", "--if-match", strings.Trim(written.Etag, `"`))
	require.NoError(t, err)
	_, _, err = runCmd(t, "deployments", "get", "mr")
	assert.ErrorContains(t, err, "404")
}

// --if-match given empty (a script's unset variable) is refused before
// anything is sent, rather than writing with no precondition.
func TestDeploymentsIfMatchGivenEmptyIsRefused(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	_, _, err := runCmd(t, "deployments", "put", "mr", "--mode", "cost", "--if-match", "")
	require.Error(t, err)
	assert.Equal(t, 2, exitCode(err), "a usage error: %v", err)
	assert.ErrorContains(t, err, "--if-match is empty")
	_, _, err = runCmd(t, "deployments", "get", "mr")
	assert.ErrorContains(t, err, "404", "nothing was sent")
}
