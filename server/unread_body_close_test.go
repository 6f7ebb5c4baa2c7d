package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/internal/bodyread/bodyreadtest"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/server/playground"
	"github.com/modelrouter/modelrouter/store"
)

// reloadable is a router model whose reload always succeeds.
type reloadable struct{}

func (reloadable) Current() manage.RouterModelInfo { return manage.RouterModelInfo{Version: "v1"} }
func (reloadable) Reload(context.Context) (manage.RouterModelInfo, error) {
	return manage.RouterModelInfo{Version: "v2", Replaced: "v1"}, nil
}

// A body sent to a route that reads none (a model list, the playground's
// script, /metrics, a cancel, the router model's reload, a path no route
// serves), or to one that answers before
// it reads it (a wrong key's 401), is answered, and its connection closed
// after the answer, whether it comes chunked or with a
// Content-Length and whether the client goes on sending it slowly or goes
// silent. Before, Go's HTTP server read up to 256 KiB of the unread body
// before answering, with no deadline: a client sending it slowly, or not
// at all, held the connection and its handler, unanswered.
func TestABodyNoRouteReadsIsAnsweredAndItsConnectionClosed(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	const adminKey = "sk-admin-e2e"
	mgmt := manage.New(manage.Config{Store: st, Catalog: testCatalog(), AdminKey: adminKey, RouterModel: &reloadable{}})
	met := metrics.New()
	e := newE2E(t, func(c *Config) {
		c.Observer = met
		c.Mount = func(g *gin.Engine) { // as serve mounts them
			g.GET("/metrics", gin.WrapH(met.Handler()))
			mgmt.Register(g)
			playground.Mount(g)
		}
	})
	routes := []struct {
		method, path string
		status       int
		key          string
	}{
		{"GET", "/v1/models", http.StatusOK, e2eKey},
		// An answer past net/http's 4 KiB buffer goes out while the
		// handler writes it, and net/http reads what is left of the body
		// as it does.
		{"GET", "/playground/app.js", http.StatusOK, e2eKey},
		{"POST", "/v1/responses/resp_unknown/cancel", http.StatusNotFound, e2eKey},
		{"GET", "/metrics", http.StatusOK, ""},
		{"POST", "/router-model/reload", http.StatusOK, adminKey},
		{"GET", "/no/such/path", http.StatusNotFound, e2eKey},
		{"POST", "/v1/chat/completions", http.StatusUnauthorized, "sk-wrong"},
	}
	addr := strings.TrimPrefix(e.url, "http://")
	for _, r := range routes {
		for _, s := range bodyreadtest.Sendings {
			t.Run(r.method+" "+r.path+" "+s.Name, func(t *testing.T) {
				t.Parallel()
				head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n",
					r.method, r.path, r.key)
				resp, raw, closed := bodyreadtest.Send(t, addr, head, "", 4096, s)
				assert.Equal(t, r.status, resp.StatusCode, "%.200s", raw)
				assert.NotEmpty(t, raw, "the whole answer came")
				assert.True(t, resp.Close, "the answer says the connection closes")
				assert.True(t, closed, "the gateway closes the connection after the answer")
			})
		}
	}
}

// A connection whose requests carry no body, or a body the route reads
// whole, stays open for the next request; so does one whose small body,
// unread, came whole with its headers, which net/http has already read.
func TestRequestsWithoutAnUnreadBodyKeepTheirConnection(t *testing.T) {
	e := newE2E(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(bodyreadtest.HangGuard)))
	br := bufio.NewReader(conn)
	ask := func(method, path, body string, status int) *http.Response {
		t.Helper()
		req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n", method, path, e2eKey)
		if body != "" {
			req += fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
		}
		_, err := io.WriteString(conn, req+"\r\n"+body)
		require.NoError(t, err)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err, "%s %s answered on the same connection", method, path)
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, status, resp.StatusCode, "%s %s: %.200s", method, path, raw)
		return resp
	}
	assert.False(t, ask("GET", "/v1/models", "", http.StatusOK).Close)
	assert.False(t, ask("GET", "/v1/models/mini", "", http.StatusOK).Close)
	chat := `{"model":"model-router","routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"Say hello"}]}`
	assert.False(t, ask("POST", "/v1/chat/completions", chat, http.StatusOK).Close, "a body read whole keeps its connection")
	assert.False(t, ask("POST", "/v1/responses/resp_unknown/cancel", "{}", http.StatusNotFound).Close,
		"a small body sent with the headers keeps its connection, unread")
	assert.False(t, ask("GET", "/v1/models", "", http.StatusOK).Close)
}
