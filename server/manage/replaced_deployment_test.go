package manage_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// A router PUT over a Claude deployment replaces it: that deployment is
// gone once the router is stored, so it cannot be the deployment the
// router's subset needs. Accepting it would leave a router whose calls
// fail with "no model left to route to".
func TestARouterCannotReplaceTheDeploymentItsSubsetNeeds(t *testing.T) {
	e := newEnv(t, adminKey)
	e.mustPut("sonnet", claudeDeployment)
	onlyClaude := routerBody("2025-11-18", `{"models": [`+claudeSonnet+`]}`)

	w := e.do(http.MethodPut, "/deployments/sonnet", onlyClaude)
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	got := decodeErr(t, w)
	assert.Equal(t, manage.CodeInvalidProperties, got.Error.Code)
	assert.Contains(t, got.Error.Message, `"sonnet" deploys it now, and this PUT replaces it`)

	w = e.do(http.MethodGet, "/deployments/sonnet", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "claude-sonnet-4-5", decodeResource(t, w.Body).Properties.Model.Name, "the Claude deployment is kept")

	// With another deployment of the model, the name may become a router.
	e.mustPut("sonnet-2", claudeDeployment)
	e.mustPut("sonnet", onlyClaude)
	d, err := e.source.Get(context.Background(), "sonnet")
	require.NoError(t, err)
	assert.Equal(t, []string{"claude-sonnet-4-5-20250929"}, d.Models)
}
