package manage_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each deployment in a list carries its etag, as Azure's deployments do, so
// a script that lists them can send one back as If-Match without a GET of
// each: the etag is the ETag a GET of that deployment answers, the built-in
// one's included. GET and PUT bodies carry it too, and a GET body, etag and
// all, can be PUT back.
func TestListedDeploymentsCarryTheETagTheirGetAnswers(t *testing.T) {
	s := newLiveServer(t)
	for _, put := range [][2]string{{"sonnet", claudeDeployment}, {"mr", routerWithClaude}} {
		name := put[0]
		resp, b := s.call(http.MethodPut, "/deployments/"+name, put[1])
		require.Equal(t, http.StatusCreated, resp.StatusCode, b)
		assert.Equal(t, resp.Header.Get("ETag"), etagIn(t, b), "%s: a PUT's answer carries the new tag", name)
	}

	resp, body := s.call(http.MethodGet, "/deployments", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var list struct {
		Value []struct {
			Name string  `json:"name"`
			Etag *string `json:"etag"` // Azure's member name
		} `json:"value"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list), body)
	require.Len(t, list.Value, 3, body)
	for _, item := range list.Value {
		require.NotNil(t, item.Etag, "%s carries no etag: %s", item.Name, body)
		resp, got := s.call(http.MethodGet, "/deployments/"+item.Name, "")
		require.Equal(t, http.StatusOK, resp.StatusCode, got)
		assert.Equal(t, resp.Header.Get("ETag"), *item.Etag, item.Name)
		assert.Equal(t, *item.Etag, etagIn(t, got), "%s: the GET body's etag is its header's", item.Name)
	}

	resp, got := s.call(http.MethodGet, "/deployments/mr", "")
	read := resp.Header.Get("ETag")
	resp, body = s.call(http.MethodPut, "/deployments/mr", got, "If-Match", read)
	require.Equal(t, http.StatusOK, resp.StatusCode, "a GET body goes back as it came: %s", body)
	assert.NotEqual(t, read, etagIn(t, body), "the answer has the new tag, not the one the body brought")
	assert.Equal(t, resp.Header.Get("ETag"), etagIn(t, body))
	resp, body = s.call(http.MethodPut, "/deployments/mr", got)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a stale etag in the body is no precondition; If-Match is: %s", body)
}

// etagIn is the etag member of a deployment's JSON.
func etagIn(t *testing.T, body string) string {
	t.Helper()
	var r struct {
		Etag string `json:"etag"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &r), body)
	return r.Etag
}
