package manage_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

func withUpgradeOption(body, option string) string {
	return strings.Replace(body, `"properties": {`, `"properties": {"versionUpgradeOption": "`+option+`", `, 1)
}

// Azure's deployments take properties.versionUpgradeOption, and Terraform's
// provider sends one by default: the gateway takes Azure's values, keeps
// the one a PUT names with the deployment and answers it, refuses any
// other naming the values it takes, and serves the version the PUT named
// whatever the option says.
func TestAVersionUpgradeOptionIsKeptAndAnswered(t *testing.T) {
	e := newEnv(t, adminKey)
	w := e.do(http.MethodPut, "/deployments/pinned", withUpgradeOption(routerBody("2025-08-07", `{"mode": "cost"}`), "OnceNewDefaultVersionAvailable"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"versionUpgradeOption":"OnceNewDefaultVersionAvailable"`)
	w = e.do(http.MethodGet, "/deployments/pinned", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"versionUpgradeOption":"OnceNewDefaultVersionAvailable"`)
	w = e.do(http.MethodGet, "/deployments", "")
	assert.Contains(t, w.Body.String(), `"versionUpgradeOption":"OnceNewDefaultVersionAvailable"`)
	d, err := e.source.Get(context.Background(), "pinned")
	require.NoError(t, err)
	assert.Equal(t, "2025-08-07", d.RouterVersion, "the deployment serves the version it named, not the latest")

	// Any case, stored as Azure spells it; a Claude deployment takes one too.
	w = e.do(http.MethodPut, "/deployments/sonnet", withUpgradeOption(claudeDeployment, "noautoupgrade"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	w = e.do(http.MethodGet, "/deployments/sonnet", "")
	assert.Contains(t, w.Body.String(), `"versionUpgradeOption":"NoAutoUpgrade"`)

	// A PUT replaces the whole deployment: one that names none clears it.
	e.mustPut("pinned", routerBody("2025-08-07", ""))
	w = e.do(http.MethodGet, "/deployments/pinned", "")
	assert.NotContains(t, w.Body.String(), "versionUpgradeOption")

	w = e.do(http.MethodPut, "/deployments/pinned", withUpgradeOption(defaultDeployment, "Always"))
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	got := decodeErr(t, w)
	assert.Equal(t, manage.CodeInvalidProperties, got.Error.Code)
	require.NotNil(t, got.Error.Param)
	assert.Equal(t, "properties.versionUpgradeOption", *got.Error.Param)
	for _, valid := range manage.VersionUpgradeOptions {
		assert.Contains(t, got.Error.Message, valid)
	}
	w = e.do(http.MethodGet, "/deployments/pinned", "")
	assert.Contains(t, w.Body.String(), `"version":"2025-08-07"`, "a refused PUT changed nothing")
}
