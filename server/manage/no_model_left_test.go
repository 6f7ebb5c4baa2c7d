package manage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A router whose every model is left out for want of its own deployment
// (here the Claude deployment its subset needs was removed behind the
// API's back, as a gateway of an older version sharing the database may)
// is refused saying why each model is left out and what to deploy, not
// only that no model is left.
func TestARouterWithNoModelLeftSaysWhyEachIsLeftOut(t *testing.T) {
	e := newEnv(t, adminKey)
	ctx := context.Background()
	e.mustPut("sonnet", claudeDeployment)
	e.mustPut("only-claude", routerBody("2025-11-18", `{"models": [`+claudeSonnet+`]}`))
	_, err := e.source.Get(ctx, "only-claude")
	require.NoError(t, err)

	require.NoError(t, e.store.DeleteDeployment(ctx, "sonnet"))
	_, err = e.source.Get(ctx, "only-claude")
	require.Error(t, err)
	assert.Equal(t, router.ENoEligible, router.ErrorCode(err))
	msg := router.ErrorMessage(err)
	assert.Contains(t, msg, `deployment "only-claude" has no model left to route to`)
	assert.Contains(t, msg, "claude-sonnet-4-5-20250929 must be deployed before model router can route to it")
	assert.Contains(t, msg, `{"format": "Anthropic", "name": "claude-sonnet-4-5", "version": "20250929"} and sku.name "GlobalStandard"`)
}
