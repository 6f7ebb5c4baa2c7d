package manage_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// A DELETE is idempotent, as on Azure's management API (Deployments -
// Delete answers 200 "Delete the deployment successfully" and 204 "The
// deployment does not exist"): deleting a deployment answers 200, and
// deleting one that is already gone, or never was, answers 204, both with
// no body, so a retried delete, or az or Terraform tearing down what may
// be gone, does not fail, while a client can tell whether one was deleted.
// A DELETE with If-Match still answers 412 there, as nothing matches it,
// and If-None-Match: * is met.
func TestDeleteAnswers200AndDeleteOfMissingDeploymentAnswers204(t *testing.T) {
	s := newLiveServer(t)
	resp, body := s.call(http.MethodPut, "/deployments/mr", defaultDeployment)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	tag := resp.Header.Get("ETag")

	for _, tt := range []struct {
		what, path string
		status     int
	}{
		{"the deployment", "/deployments/mr", http.StatusOK},
		{"one already deleted", "/deployments/mr", http.StatusNoContent},
		{"one that never was", "/deployments/nope", http.StatusNoContent},
	} {
		resp, body = s.call(http.MethodDelete, tt.path, "")
		assert.Equal(t, tt.status, resp.StatusCode, "%s: %s", tt.what, body)
		assert.Empty(t, body, tt.what)
	}
	resp, _ = s.call(http.MethodGet, "/deployments/mr", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "a GET still tells what is not there")

	for _, ifMatch := range []string{tag, "*"} {
		resp, body = s.call(http.MethodDelete, "/deployments/mr", "", "If-Match", ifMatch)
		require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, "If-Match %s: %s", ifMatch, body)
		var e apiErr
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		assert.Equal(t, manage.CodePreconditionFailed, e.Error.Code)
		assert.Contains(t, e.Error.Message, `"mr" does not exist`)
	}
	resp, body = s.call(http.MethodDelete, "/deployments/mr", "", "If-None-Match", "*")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode, body)
}

// The built-in model-router is not a missing deployment: it cannot be
// deleted (409), while a stored model-router is deleted (200) and the
// built-in one serves again, which a second DELETE cannot delete either.
func TestDeletingModelRouterStillGoesBackToTheBuiltInOne(t *testing.T) {
	s := newLiveServer(t)
	resp, body := s.call(http.MethodDelete, "/deployments/model-router", "")
	require.Equal(t, http.StatusConflict, resp.StatusCode, body)
	assert.Contains(t, body, manage.CodeInUse)
	assert.Contains(t, body, "cannot be deleted")

	resp, body = s.call(http.MethodPut, "/deployments/model-router", routerBody("2025-11-18", `{"mode": "cost"}`))
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	resp, body = s.call(http.MethodDelete, "/deployments/model-router", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = s.call(http.MethodGet, "/deployments/model-router", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, "balanced", decodeBody(t, body).Properties.Routing.Mode, "the built-in deployment again")
	resp, body = s.call(http.MethodDelete, "/deployments/model-router", "")
	assert.Equal(t, http.StatusConflict, resp.StatusCode, body)
}
