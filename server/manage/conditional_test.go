package manage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

func (e *env) doIf(method, path, body, header, value string) (int, string, apiErr) {
	e.t.Helper()
	w := e.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + adminKey, header: value})
	var got apiErr
	if w.Code >= 400 {
		got = decodeErr(e.t, w)
	}
	return w.Code, w.Header().Get("ETag"), got
}

// Two admins who read a deployment and PUT it back do not overwrite each
// other's change unseen: GET and PUT give an ETag, and a PUT or DELETE
// with If-Match is refused 412 once the deployment has changed since.
func TestIfMatchKeepsAConcurrentChange(t *testing.T) {
	e := newEnv(t, adminKey)
	e.mustPut("mr", defaultDeployment)
	w := e.do(http.MethodGet, "/deployments/mr", "")
	read := w.Header().Get("ETag")
	require.NotEmpty(t, read)

	status, first, _ := e.doIf(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), "If-Match", read)
	require.Equal(t, http.StatusOK, status, "the tag read is current")
	require.NotEqual(t, read, first, "the PUT gives the new tag")

	status, _, got := e.doIf(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "quality"}`), "If-Match", read)
	require.Equal(t, http.StatusPreconditionFailed, status)
	assert.Equal(t, manage.CodePreconditionFailed, got.Error.Code)
	assert.Contains(t, got.Error.Message, "has changed")
	status, _, _ = e.doIf(http.MethodDelete, "/deployments/mr", "", "If-Match", read)
	require.Equal(t, http.StatusPreconditionFailed, status)

	w = e.do(http.MethodGet, "/deployments/mr", "")
	assert.Equal(t, "cost", decodeResource(t, w.Body).Properties.Routing.Mode, "the first change stands")
	assert.Equal(t, first, w.Header().Get("ETag"))
	status, _, _ = e.doIf(http.MethodDelete, "/deployments/mr", "", "If-Match", `"other", `+first)
	assert.Equal(t, http.StatusOK, status)
}

// If-None-Match: * creates a deployment only where there is none, and
// If-Match: * replaces only one that exists; the built-in model-router
// exists, as GET shows.
func TestIfNoneMatchStarCreatesOnly(t *testing.T) {
	e := newEnv(t, adminKey)
	status, _, _ := e.doIf(http.MethodPut, "/deployments/mr", defaultDeployment, "If-None-Match", "*")
	require.Equal(t, http.StatusCreated, status)
	status, _, got := e.doIf(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), "If-None-Match", "*")
	require.Equal(t, http.StatusPreconditionFailed, status)
	assert.Contains(t, got.Error.Message, `"mr" exists`)
	status, _, _ = e.doIf(http.MethodPut, "/deployments/model-router", defaultDeployment, "If-None-Match", "*")
	assert.Equal(t, http.StatusPreconditionFailed, status, "the built-in deployment exists")

	status, _, got = e.doIf(http.MethodPut, "/deployments/other", defaultDeployment, "If-Match", "*")
	require.Equal(t, http.StatusPreconditionFailed, status)
	assert.Contains(t, got.Error.Message, "does not exist")
	w := e.do(http.MethodGet, "/deployments", "")
	assert.False(t, strings.Contains(w.Body.String(), `"other"`), "nothing was created")

	status, _, _ = e.doIf(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), "If-Match", "*")
	assert.Equal(t, http.StatusOK, status)
}
