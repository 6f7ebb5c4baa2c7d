package manage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// README "Validation rules": "unknown", in any case, is the deployment
// label /metrics gives names that were not found, so no deployment may be
// created under it, on the gateway's path or Azure's, whatever its body.
func TestTheNameUnknownIsReserved(t *testing.T) {
	e := newEnv(t, adminKey)
	const azure = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments/"
	for _, path := range []string{"/deployments/unknown", "/deployments/UNKNOWN", azure + "Unknown?api-version=2025-10-01-preview"} {
		for _, body := range []string{defaultDeployment, claudeDeployment} {
			w := e.do(http.MethodPut, path, body)
			require.Equal(t, http.StatusBadRequest, w.Code, "%s: %s", path, w.Body.String())
			got := decodeErr(t, w)
			assert.Equal(t, "InvalidResourceName", got.Error.Code, path)
			require.NotNil(t, got.Error.Param, path)
			assert.Equal(t, "name", *got.Error.Param, path)
			assert.Contains(t, got.Error.Message, "is reserved", path)
			assert.Contains(t, got.Error.Message, `deployment="unknown"`, "%s: the message says why", path)
		}
	}
	w := e.do(http.MethodGet, "/deployments/unknown", "")
	assert.Equal(t, http.StatusNotFound, w.Code, "nothing was stored: %s", w.Body.String())
	e.mustPut("unknown-2", defaultDeployment) // only the name itself is reserved
}

// A deployment stored under the name by an earlier build is listed, read
// and deleted as any other; only a PUT that replaces it is refused.
func TestADeploymentStoredAsUnknownBeforeIsKept(t *testing.T) {
	e := newEnv(t, adminKey)
	_, err := e.store.PutDeployment(context.Background(), "unknown", json.RawMessage(defaultDeployment))
	require.NoError(t, err)

	w := e.do(http.MethodGet, "/deployments", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"name":"unknown"`)
	w = e.do(http.MethodGet, "/deployments/unknown", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	w = e.do(http.MethodPut, "/deployments/unknown", routerBody("2025-11-18", `{"mode": "cost"}`))
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	assert.Equal(t, "InvalidResourceName", decodeErr(t, w).Error.Code)

	w = e.do(http.MethodDelete, "/deployments/unknown", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = e.do(http.MethodGet, "/deployments/unknown", "")
	assert.Equal(t, http.StatusNotFound, w.Code)
}

// Pausing and resuming a deployment stored as "unknown" by an earlier build
// changes only its state, so it is let through, by Azure's actions and by
// a GET-then-PUT that changes deploymentState alone; any other change is
// refused saying what to do instead.
func TestADeploymentStoredAsUnknownBeforeCanBePausedAndResumed(t *testing.T) {
	e := newEnv(t, adminKey)
	const stored = `{"sku": {"name": "GlobalStandard", "capacity": 10}, "tags": {"team": "search"}, ` +
		`"properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "balanced"}}}`
	_, err := e.store.PutDeployment(context.Background(), "unknown", json.RawMessage(stored))
	require.NoError(t, err)
	const azure = "/subscriptions/s/resourceGroups/g/providers/Microsoft.CognitiveServices/accounts/a/deployments/"
	state := func() string {
		w := e.do(http.MethodGet, "/deployments/unknown", "")
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		var got manage.Resource
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
		assert.Equal(t, map[string]string{"team": "search"}, got.Tags, "it keeps its settings")
		return got.Properties.DeploymentState
	}

	w := e.do(http.MethodPost, azure+"unknown/pause?api-version=2026-01-15-preview", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, manage.DeploymentPaused, state())
	w = e.do(http.MethodPost, azure+"unknown/resume?api-version=2026-01-15-preview", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, manage.DeploymentRunning, state())

	// Its GET answer PUT back with deploymentState changed, as Terraform does.
	w = e.do(http.MethodGet, azure+"unknown", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	body["properties"].(map[string]any)["deploymentState"] = "paused"
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	w = e.do(http.MethodPut, azure+"unknown", string(raw))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, manage.DeploymentPaused, state())

	// Any other change is a new deployment under the reserved name.
	body["properties"].(map[string]any)["routing"] = map[string]any{"mode": "cost"}
	raw, err = json.Marshal(body)
	require.NoError(t, err)
	w = e.do(http.MethodPut, azure+"unknown", string(raw))
	require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
	got := decodeErr(t, w)
	assert.Equal(t, "InvalidResourceName", got.Error.Code)
	assert.Contains(t, got.Error.Message, "delete it and create it under another name", "it says what to do")
	assert.Equal(t, manage.DeploymentPaused, state(), "a refused PUT changed nothing")
}
