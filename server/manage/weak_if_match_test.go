package manage_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
)

// If-Match compares tags strongly (RFC 9110), so a weak tag never matches,
// even one naming the current deployment: a proxy that weakened the ETag a
// client read would leave it refused for ever with "has changed; GET it
// again". The 412, in the API's error shape, says why instead, and gives the
// strong tag to send; nothing is written.
func TestAWeakIfMatchIsRefusedSayingWeakTagsNeverMatch(t *testing.T) {
	s := newLiveServer(t)
	resp, body := s.call(http.MethodPut, "/deployments/mr", defaultDeployment)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	tag := resp.Header.Get("ETag")

	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		resp, body = s.call(method, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), "If-Match", "W/"+tag)
		require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, "%s: %s", method, body)
		var e apiErr
		require.NoError(t, json.Unmarshal([]byte(body), &e), body)
		assert.Equal(t, manage.CodePreconditionFailed, e.Error.Code, method)
		assert.Equal(t, "invalid_request_error", e.Error.Type, method)
		if assert.NotNil(t, e.Error.Param, method) {
			assert.Equal(t, "If-Match", *e.Error.Param, method)
		}
		for _, want := range []string{"W/" + tag, "weak tag never matches", "proxy", "now " + tag} {
			assert.Contains(t, e.Error.Message, want, method)
		}
		assert.NotContains(t, e.Error.Message, "has changed", method)
	}

	resp, body = s.call(http.MethodGet, "/deployments/mr", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, tag, resp.Header.Get("ETag"), "neither the PUT nor the DELETE was done")
	resp, body = s.call(http.MethodDelete, "/deployments/mr", "", "If-Match", tag)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the strong tag matches: %s", body)
}

// A weak tag of a version since replaced is a change the client has not
// read: the 412 sends it to GET the deployment again, not to send the
// current tag, which would overwrite that change unread.
func TestAWeakIfMatchOfAnOlderVersionSaysTheDeploymentChanged(t *testing.T) {
	s := newLiveServer(t)
	resp, body := s.call(http.MethodPut, "/deployments/mr", defaultDeployment)
	require.Equal(t, http.StatusCreated, resp.StatusCode, body)
	old := resp.Header.Get("ETag")
	resp, body = s.call(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "quality"}`))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	tag := resp.Header.Get("ETag")
	require.NotEqual(t, old, tag)

	resp, body = s.call(http.MethodPut, "/deployments/mr", routerBody("2025-11-18", `{"mode": "cost"}`), "If-Match", "W/"+old)
	require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, body)
	var e apiErr
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	assert.Contains(t, e.Error.Message, "has changed", body)
	assert.Contains(t, e.Error.Message, "GET it again", body)
	assert.NotContains(t, e.Error.Message, "send that as If-Match", body)
}
