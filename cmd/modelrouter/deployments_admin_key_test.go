package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// README "Management API": "Surrounding whitespace, such as a secret file's
// trailing newline, is trimmed from the key." The CLI reads the same
// MODELROUTER_ADMIN_KEY as the server it runs beside (same pod, same
// environment file), so a key the server accepts works for the CLI too,
// rather than failing with a hint that the server is not running. (serve
// hands the server the trimmed key, as here.)
func TestDeploymentsCLIUsesAnAdminKeyWithATrailingNewline(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret\n")

	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"deployments", "list"}, &out, &errOut)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "model-router")
}

// A key no header can carry (a newline inside it) is a local mistake: the
// message says what is wrong with the key, never prints it, and does not send
// the operator to check a server that is running. A server that cannot be
// reached still gets the hint.
func TestDeploymentsCLIBlamesTheServerOnlyWhenItCannotBeReached(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "adm1n\nk3y")

	err := run(context.Background(), []string{"deployments", "list"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), manage.EnvAdminKey)
	assert.NotContains(t, err.Error(), "k3y", "the key is never printed")
	assert.NotContains(t, err.Error(), "modelrouter serve")

	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	t.Setenv("MODELROUTER_URL", gone.URL)
	t.Setenv(manage.EnvAdminKey, "secret")
	err = run(context.Background(), []string{"deployments", "list"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is `modelrouter serve` running")
}
