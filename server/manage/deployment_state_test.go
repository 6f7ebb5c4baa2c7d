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

func withState(body, state string) string {
	return strings.Replace(body, `"properties": {`, `"properties": {"deploymentState": "`+state+`", `, 1)
}

// Azure's properties.deploymentState pauses a deployment: the gateway keeps
// the state, answers it, and gives calls no deployment while it is
// paused, the built-in model-router included when a stored one replaces
// it; it refuses a state Azure does not have, and a paused model
// deployment, which no call names.
func TestADeploymentStateIsKeptAndAPausedDeploymentIsNotServed(t *testing.T) {
	e := newEnv(t, adminKey)
	ctx := context.Background()
	w := e.do(http.MethodPut, "/deployments/held", withState(defaultDeployment, "paused"))
	require.Equal(t, http.StatusCreated, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"deploymentState":"Paused"`, "any case, stored as Azure spells it")
	for _, path := range []string{"/deployments/held", "/deployments"} {
		w = e.do(http.MethodGet, path, "")
		assert.Contains(t, w.Body.String(), `"deploymentState":"Paused"`, path)
	}
	_, err := e.source.Get(ctx, "held")
	require.Error(t, err)
	assert.Equal(t, router.EDeploymentPaused, router.ErrorCode(err))
	listed, err := e.source.List(ctx)
	require.NoError(t, err)
	for _, d := range listed {
		assert.NotEqual(t, "held", d.Name, "a paused deployment is not listed as callable")
	}

	// A stored model-router that is paused does not give way to the
	// built-in one: its admin meant the name to take no calls.
	e.mustPut("model-router", withState(defaultDeployment, "Paused"))
	_, err = e.source.Get(ctx, "model-router")
	assert.Equal(t, router.EDeploymentPaused, router.ErrorCode(err))

	// A PUT replaces the whole deployment: one that names no state runs.
	e.mustPut("held", defaultDeployment)
	w = e.do(http.MethodGet, "/deployments/held", "")
	assert.NotContains(t, w.Body.String(), "deploymentState")
	_, err = e.source.Get(ctx, "held")
	assert.NoError(t, err)
	e.mustPut("held", withState(defaultDeployment, "Running"))
	_, err = e.source.Get(ctx, "held")
	assert.NoError(t, err)

	for _, bad := range []struct{ name, body, says string }{
		{"held", withState(defaultDeployment, "Stopped"), "Running, Paused"},
		{"sonnet", withState(claudeDeployment, "Paused"), "pause those instead"},
	} {
		w = e.do(http.MethodPut, "/deployments/"+bad.name, bad.body)
		require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
		got := decodeErr(t, w)
		assert.Equal(t, manage.CodeInvalidProperties, got.Error.Code)
		require.NotNil(t, got.Error.Param)
		assert.Equal(t, "properties.deploymentState", *got.Error.Param)
		assert.Contains(t, got.Error.Message, bad.says)
	}
	_, err = e.source.Get(ctx, "held")
	assert.NoError(t, err, "a refused PUT changed nothing")
}
