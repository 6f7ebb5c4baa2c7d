package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// README "Deployments" CLI: --admin-key defaults from MODELROUTER_ADMIN_KEY
// or the file MODELROUTER_ADMIN_KEY_FILE names, read as serve reads it, so
// the CLI beside a gateway given its key as a mounted secret (Docker,
// Kubernetes) authenticates with the same key.
func TestDeploymentsCLIReadsTheAdminKeyFromItsFile(t *testing.T) {
	startManagementAPI(t, "adm-from-file")
	t.Setenv(manage.EnvAdminKey, "")
	t.Setenv(manage.EnvAdminKey+"_FILE", writeSecret(t, "adm-from-file\r\n"))

	out, _, err := runCmd(t, "deployments", "list")
	require.NoError(t, err)
	assert.Contains(t, out, "model-router")

	// An explicit flag wins over the file, as over the variable: a wrong
	// key given is sent, and refused.
	_, _, err = runCmd(t, "deployments", "list", "--admin-key", "wrong")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
}

// Both set, or a file that cannot be read, is refused before any request,
// with serve's message, which names the variables and never the key; an
// explicit --admin-key reads neither, so it still works.
func TestDeploymentsCLIRefusesAnAdminKeyGivenTwice(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")
	t.Setenv(manage.EnvAdminKey+"_FILE", writeSecret(t, "secret-in-file\n"))

	_, _, err := runCmd(t, "deployments", "list")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MODELROUTER_ADMIN_KEY and MODELROUTER_ADMIN_KEY_FILE are both set: give the key one way only")
	assert.NotContains(t, err.Error(), "secret-in-file")

	t.Setenv(manage.EnvAdminKey, "")
	t.Setenv(manage.EnvAdminKey+"_FILE", "./no-such-key-file")
	_, _, err = runCmd(t, "deployments", "list")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `MODELROUTER_ADMIN_KEY_FILE "./no-such-key-file": no such file or directory`)

	out, _, err := runCmd(t, "deployments", "list", "--admin-key", "secret")
	require.NoError(t, err, "the flag wins over both")
	assert.Contains(t, out, "model-router")
}

// A key in the file that no header can carry is blamed on the file's
// variable, never printed.
func TestDeploymentsCLINamesTheFileOfABadAdminKey(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "")
	t.Setenv(manage.EnvAdminKey+"_FILE", writeSecret(t, "adm1n\nk3y\n"))

	_, _, err := runCmd(t, "deployments", "list")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "$MODELROUTER_ADMIN_KEY_FILE")
	assert.NotContains(t, err.Error(), "k3y")
}

// A mistyped subcommand is named as such, even where the key file cannot
// be read: the key is read only for a command that sends a request, so a
// broken secret mount does not hide the typo behind a message about it.
func TestDeploymentsCLINamesAnUnknownSubcommandBeforeReadingTheKeyFile(t *testing.T) {
	t.Setenv(manage.EnvAdminKey, "")
	t.Setenv(manage.EnvAdminKey+"_FILE", "./no-such-key-file")

	for _, args := range [][]string{{"lsit"}, {"--admin-key", "k", "list"}} {
		_, _, err := runCmd(t, append([]string{"deployments"}, args...)...)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `unknown subcommand "`+args[0]+`"`)
		assert.NotContains(t, err.Error(), "no-such-key-file")
		var usage usageError
		assert.ErrorAs(t, err, &usage, "a usage error, exit status 2")
	}
}
