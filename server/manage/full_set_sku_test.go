package manage_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
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

// A full-set router that leaves a Claude model out says why, in the rule's
// words, with what to deploy: the router shows it as an excluded
// candidate, where it would otherwise just be missing. Deployed with the
// router's SKU, it is routed to and no longer left out.
func TestAFullSetRouterSaysWhyItLeavesOutClaude(t *testing.T) {
	put, src := liveAPI(t)
	ctx := context.Background()
	const sonnet = "claude-sonnet-4-5-20250929"
	leftOut := func(d router.Deployment) string {
		for _, l := range d.LeftOut {
			if l.Model == sonnet {
				return l.Reason
			}
		}
		return ""
	}
	status, body := put("dz", strings.Replace(defaultDeployment, "GlobalStandard", "DataZoneStandard", 1))
	require.Equal(t, http.StatusCreated, status, body)

	dz, err := src.Get(ctx, "dz")
	require.NoError(t, err)
	why := leftOut(dz)
	assert.Contains(t, why, sonnet+" must be deployed before model router can route to it")
	assert.Contains(t, why, `{"format": "Anthropic", "name": "claude-sonnet-4-5", "version": "20250929"} and sku.name "DataZoneStandard"`)
	assert.NotContains(t, dz.Models, sonnet)

	status, body = put("sonnet", claudeDeployment) // GlobalStandard
	require.Equal(t, http.StatusCreated, status, body)
	dz, err = src.Get(ctx, "dz")
	require.NoError(t, err)
	assert.Contains(t, leftOut(dz), `is deployed as "sonnet" with sku "GlobalStandard"; the router deployment's sku "DataZoneStandard" must match one of them`)
	builtIn, err := src.Get(ctx, manage.DefaultDeployment)
	require.NoError(t, err)
	assert.Empty(t, leftOut(builtIn), "the built-in router is GlobalStandard")

	status, body = put("sonnet-dz", strings.Replace(claudeDeployment, "GlobalStandard", "DataZoneStandard", 1))
	require.Equal(t, http.StatusCreated, status, body)
	list, err := src.List(ctx)
	require.NoError(t, err)
	for _, d := range list {
		assert.Empty(t, leftOut(d), d.Name)
		assert.Contains(t, d.Models, sonnet, d.Name)
	}
}
