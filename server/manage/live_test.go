package manage_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/manage"
)

// liveServer is the management API served over TCP on 127.0.0.1 over a
// fresh store, as a client reaches it: status lines, headers and bodies
// are what net/http writes, not what a handler meant to write.
type liveServer struct {
	t   *testing.T
	ts  *httptest.Server
	src *manage.Source
}

func newLiveServer(t *testing.T) *liveServer {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	st := versionedStore{newMemStore()}
	e := gin.New()
	manage.New(manage.Config{Store: st, Catalog: cat, AdminKey: adminKey}).Register(e)
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return &liveServer{t: t, ts: ts, src: manage.NewSource(st, cat)}
}

// call sends a request with the admin key and the headers given as name,
// value pairs, and returns the answer with its body read.
func (s *liveServer) call(method, path, body string, headers ...string) (*http.Response, string) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.ts.URL+path, strings.NewReader(body))
	require.NoError(s.t, err)
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := s.ts.Client().Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	return resp, string(b)
}

// liveAPI serves the management API on 127.0.0.1 over a fresh store and
// returns a put function and the Source the gateway would read.
func liveAPI(t *testing.T) (put func(name, body string) (int, string), src *manage.Source) {
	t.Helper()
	s := newLiveServer(t)
	put = func(name, body string) (int, string) {
		t.Helper()
		resp, b := s.call(http.MethodPut, "/deployments/"+name, body)
		return resp.StatusCode, b
	}
	return put, s.src
}
