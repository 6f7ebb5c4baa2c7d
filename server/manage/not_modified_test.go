package manage_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// A client that kept a deployment's ETag reads it again cheaply: a GET
// whose If-None-Match lists the current tag (compared weakly, as RFC 9110
// compares If-None-Match, so W/ makes no difference) or "*" answers 304 Not
// Modified with the ETag and no body; once the deployment has changed, 200
// with the new deployment and tag. A PUT that If-None-Match refuses still
// answers 412: only a GET can be answered from the client's copy.
func TestAGetWithTheCurrentETagAnswersNotModified(t *testing.T) {
	s := newLiveServer(t)
	resp, body := s.call(http.MethodPut, "/deployments/mr", defaultDeployment)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	tag := resp.Header.Get("ETag")
	require.NotEmpty(t, tag)

	for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
		resp, body = s.call(http.MethodGet, "/deployments/mr", "", "If-None-Match", inm)
		assert.Equal(t, http.StatusNotModified, resp.StatusCode, inm)
		assert.Equal(t, tag, resp.Header.Get("ETag"), inm)
		assert.Empty(t, body, inm)
	}
	resp, body = s.call(http.MethodGet, "/deployments/mr", "", "If-None-Match", `"other"`)
	require.Equal(t, http.StatusOK, resp.StatusCode, "another tag: the deployment is sent")
	assert.Equal(t, "mr", decodeBody(t, body).Name)

	resp, _ = s.call(http.MethodGet, "/deployments/model-router", "")
	builtIn := resp.Header.Get("ETag")
	resp, body = s.call(http.MethodGet, "/deployments/model-router", "", "If-None-Match", builtIn)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode, "the built-in deployment has a tag too: %s", body)
	assert.Equal(t, builtIn, resp.Header.Get("ETag"))

	resp, body = s.call(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), "If-None-Match", tag)
	require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, body)
	resp, body = s.call(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = s.call(http.MethodGet, "/deployments/mr", "", "If-None-Match", tag)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the deployment changed since: %s", body)
	assert.NotEqual(t, tag, resp.Header.Get("ETag"))
	assert.Equal(t, "cost", decodeBody(t, body).Properties.Routing.Mode)

	resp, body = s.call(http.MethodGet, "/deployments/nope", "", "If-None-Match", "*")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "no deployment, nothing for * to match: %s", body)
}

// If-Match on a GET is evaluated too (RFC 9110: before the method is
// performed): a stale tag answers 412 rather than a deployment the client
// did not ask for.
func TestAGetWithAStaleIfMatchIsRefused(t *testing.T) {
	s := newLiveServer(t)
	resp, body := s.call(http.MethodPut, "/deployments/mr", defaultDeployment)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	tag := resp.Header.Get("ETag")

	resp, body = s.call(http.MethodGet, "/deployments/mr", "", "If-Match", tag)
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
	resp, body = s.call(http.MethodGet, "/deployments/mr", "", "If-Match", `"stale"`)
	require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, body)
	var e apiErr
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	assert.Equal(t, manage.CodePreconditionFailed, e.Error.Code)
	assert.Contains(t, e.Error.Message, tag, "the message gives the current tag")
}

func decodeBody(t *testing.T, body string) manage.Resource {
	t.Helper()
	var r manage.Resource
	require.NoError(t, json.Unmarshal([]byte(body), &r), body)
	return r
}
