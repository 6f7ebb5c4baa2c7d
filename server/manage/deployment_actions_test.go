package manage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
)

// Azure's POST .../deployments/{name}/pause and /resume set the
// deployment's deploymentState as a PUT with it does: the answer is 200
// with the deployment and its ETag, the deployment keeps its other
// settings, a paused one takes no calls until it is resumed, a repeated
// action writes nothing, and each is refused where that PUT would be.
func TestAzuresPauseAndResumeActionsSetTheDeploymentState(t *testing.T) {
	e := newEnv(t, adminKey)
	ctx := context.Background()
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	e.mustPut("held", withTags(withUpgradeOption(defaultDeployment, "NoAutoUpgrade"), `{"team": "search"}`))

	w := e.do(http.MethodPost, account+"/held/pause?api-version=2026-01-15-preview", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var paused manage.Resource
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &paused))
	assert.Equal(t, "held", paused.Name)
	assert.Equal(t, manage.DeploymentPaused, paused.Properties.DeploymentState)
	assert.Equal(t, map[string]string{"team": "search"}, paused.Tags, "the deployment keeps its settings")
	assert.Equal(t, "NoAutoUpgrade", paused.Properties.VersionUpgradeOption)
	assert.Equal(t, w.Header().Get("ETag"), paused.Etag)
	_, err := e.source.Get(ctx, "held")
	assert.Equal(t, router.EDeploymentPaused, router.ErrorCode(err), "a paused deployment takes no calls")
	w = e.do(http.MethodGet, "/deployments/held", "")
	assert.Contains(t, w.Body.String(), `"deploymentState":"Paused"`)
	assert.Equal(t, paused.Etag, w.Header().Get("ETag"))

	// Idempotent, the action named in any case: nothing is written again.
	w = e.do(http.MethodPost, account+"/held/Pause", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, paused.Etag, w.Header().Get("ETag"))

	// A stale If-Match is refused, as on a PUT.
	w = e.doWith(http.MethodPost, account+"/held/resume", "", map[string]string{"Authorization": "Bearer " + adminKey, "If-Match": `"stale"`})
	assert.Equal(t, http.StatusPreconditionFailed, w.Code, w.Body.String())
	_, err = e.source.Get(ctx, "held")
	assert.Equal(t, router.EDeploymentPaused, router.ErrorCode(err), "a refused resume changed nothing")

	w = e.do(http.MethodPost, account+"/held/resume", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"deploymentState":"Running"`)
	assert.NotEqual(t, paused.Etag, w.Header().Get("ETag"))
	_, err = e.source.Get(ctx, "held")
	assert.NoError(t, err, "a resumed deployment takes calls")

	// The built-in model-router is stored as it is served, paused.
	w = e.do(http.MethodPost, account+"/model-router/pause", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"deploymentState":"Paused"`)
	_, err = e.source.Get(ctx, "model-router")
	assert.Equal(t, router.EDeploymentPaused, router.ErrorCode(err))

	for _, bad := range []struct {
		path        string
		status      int
		code, param string
	}{
		{account + "/nowhere/pause", http.StatusNotFound, manage.CodeNotFound, ""},
		{account + "/held/stop", http.StatusNotFound, "not_found", ""},
	} {
		w = e.do(http.MethodPost, bad.path, "")
		require.Equal(t, bad.status, w.Code, "%s: %s", bad.path, w.Body.String())
		assert.Equal(t, bad.code, decodeErr(t, w).Error.Code, bad.path)
	}
	e.mustPut("sonnet", claudeDeployment)
	w = e.do(http.MethodPost, account+"/sonnet/pause", "")
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	got := decodeErr(t, w)
	assert.Equal(t, manage.CodeInvalidProperties, got.Error.Code)
	require.NotNil(t, got.Error.Param)
	assert.Equal(t, "properties.deploymentState", *got.Error.Param)
	assert.Equal(t, http.StatusNotFound, e.do(http.MethodGet, "/deployments/nowhere", "").Code, "an action creates no deployment")

	w = e.doWith(http.MethodPost, account+"/held/pause", "", nil)
	assert.Equal(t, http.StatusUnauthorized, w.Code, "admin-only")
}
