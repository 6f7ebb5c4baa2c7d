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

// The SKU says where a deployment's data is processed. A router lists a
// Claude model in its subset only with a deployment of the router's SKU;
// its full set follows the same rule, so a DataZoneStandard router does
// not send prompts to a GlobalStandard deployment of Claude that its
// subset could not name.
func TestAFullSetRouterLeavesOutClaudeDeployedOnlyWithAnotherSKU(t *testing.T) {
	put, src := liveAPI(t)
	ctx := context.Background()
	const sonnet = "claude-sonnet-4-5-20250929"
	status, body := put("sonnet", claudeDeployment) // GlobalStandard
	require.Equal(t, http.StatusCreated, status, body)
	dataZoneFull := strings.Replace(defaultDeployment, "GlobalStandard", "DataZoneStandard", 1)
	status, body = put("dz", dataZoneFull)
	require.Equal(t, http.StatusCreated, status, body)

	status, body = put("dz-subset", strings.Replace(routerWithClaude, "GlobalStandard", "DataZoneStandard", 1))
	require.Equal(t, http.StatusBadRequest, status, "the subset may not name it: %s", body)

	dz, err := src.Get(ctx, "dz")
	require.NoError(t, err)
	assert.NotContains(t, dz.Models, sonnet, "deployed only with GlobalStandard")
	builtIn, err := src.Get(ctx, manage.DefaultDeployment)
	require.NoError(t, err)
	assert.Contains(t, builtIn.Models, sonnet, "the built-in router is GlobalStandard")

	status, body = put("sonnet-dz", strings.Replace(claudeDeployment, "GlobalStandard", "DataZoneStandard", 1))
	require.Equal(t, http.StatusCreated, status, body)
	dz, err = src.Get(ctx, "dz")
	require.NoError(t, err)
	assert.Contains(t, dz.Models, sonnet, "a DataZoneStandard deployment of it joins the full set")

	list, err := src.List(ctx)
	require.NoError(t, err)
	for _, d := range list {
		assert.Contains(t, d.Models, sonnet, d.Name)
	}
}
