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

// A router an earlier build stored with settings this build's PUT refuses
// (a SKU no longer taken, Azure's content filter, a member this build does
// not know) can still be paused and resumed by the actions, the emergency
// stop for its spend: only deploymentState (and systemData) change, every
// other stored member is kept as stored, If-Match holds, a repeated action
// writes nothing, and a PUT of it is still checked.
func TestThePauseActionsChangeOnlyTheStateOfADeploymentStoredByAnEarlierBuild(t *testing.T) {
	e := newEnv(t, adminKey)
	ctx := context.Background()
	const account = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments"
	const stored = `{"sku": {"name": "Premium", "capacity": 30}, "tags": {"team": "search"}, "legacy": {"kept": [1, 2]},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"},
	  "routing": {"mode": "cost"}, "raiPolicyName": "Microsoft.Default"}}`
	_, err := e.store.PutDeployment(ctx, "legacy", json.RawMessage(stored))
	require.NoError(t, err)
	// members is a stored row's members but properties and systemData,
	// and its properties but deploymentState, as JSON, and its state.
	members := func(raw []byte) (top, props, state string) {
		var t1, p map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &t1))
		require.NoError(t, json.Unmarshal(t1["properties"], &p))
		_ = json.Unmarshal(p["deploymentState"], &state)
		delete(t1, "properties")
		delete(t1, "systemData")
		delete(p, "deploymentState")
		b1, err := json.Marshal(t1)
		require.NoError(t, err)
		b2, err := json.Marshal(p)
		require.NoError(t, err)
		return string(b1), string(b2), state
	}
	wantTop, wantProps, _ := members([]byte(stored))

	w := e.doWith(http.MethodPost, account+"/legacy/pause", "", map[string]string{"Authorization": "Bearer " + adminKey, "If-Match": `"stale"`})
	require.Equal(t, http.StatusPreconditionFailed, w.Code, w.Body.String())
	tag := e.do(http.MethodGet, "/deployments/legacy", "").Header().Get("ETag")
	w = e.doWith(http.MethodPost, account+"/legacy/pause", "", map[string]string{"Authorization": "Bearer " + adminKey, "If-Match": tag})
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	paused := w.Header().Get("ETag")
	_, err = e.source.Get(ctx, "legacy")
	assert.Equal(t, router.EDeploymentPaused, router.ErrorCode(err), "a paused deployment takes no calls")
	got, err := e.store.GetDeployment(ctx, "legacy")
	require.NoError(t, err)
	top, props, state := members(got.Resource)
	assert.JSONEq(t, wantTop, top, "every other member is kept as stored")
	assert.JSONEq(t, wantProps, props)
	assert.Equal(t, manage.DeploymentPaused, state)

	w = e.do(http.MethodPost, account+"/legacy/pause", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, paused, w.Header().Get("ETag"), "a repeated pause writes nothing")

	w = e.do(http.MethodPost, account+"/legacy/resume", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"deploymentState":"Running"`)
	d, err := e.source.Get(ctx, "legacy")
	require.NoError(t, err, "a resumed deployment takes calls")
	assert.Equal(t, 30, d.Capacity)
	got, err = e.store.GetDeployment(ctx, "legacy")
	require.NoError(t, err)
	top, props, state = members(got.Resource)
	assert.JSONEq(t, wantTop, top)
	assert.JSONEq(t, wantProps, props)
	assert.Equal(t, manage.DeploymentRunning, state)

	w = e.do(http.MethodPut, "/deployments/legacy", stored)
	assert.Equal(t, http.StatusBadRequest, w.Code, "a PUT of it is still checked: %s", w.Body.String())
}
