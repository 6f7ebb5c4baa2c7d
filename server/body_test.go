package server

import (
	"bytes"
	"compress/gzip"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

// TestGzipBodyIsRoutedAndForwardedPlain: a client may compress its request;
// the router reads it and the provider gets the plain JSON.
func TestGzipBodyIsRoutedAndForwardedPlain(t *testing.T) {
	srv, _, fwd := newTestServer(t, nil)
	w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", gzipped(t, chatBody), "Content-Encoding", "gzip")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	call := fwd.lastCall.Load()
	require.NotNil(t, call)
	assert.Contains(t, string(call.Raw), "What is the capital of France?", "the forwarded body is decompressed JSON")
}

func TestBadBodyEncodingsAreClientErrors(t *testing.T) {
	bomb := gzipped(t, `{"model":"model-router","messages":[{"role":"user","content":"`+strings.Repeat("a", 1<<20)+`"}]}`)
	tests := []struct {
		name     string
		body     string
		encoding string
		status   int
		code     string
		inMsg    string
	}{
		{name: "not gzip", body: chatBody, encoding: "gzip", status: 400, code: router.EInvalid, inMsg: "not valid gzip"},
		{name: "truncated gzip", body: gzipped(t, chatBody)[:20], encoding: "gzip", status: 400, code: router.EInvalid, inMsg: "not valid gzip"},
		{name: "expands past the limit", body: bomb, encoding: "gzip", status: 413, code: router.ETooLarge, inMsg: "decompressed"},
		{name: "unsupported encoding", body: chatBody, encoding: "br", status: 400, code: router.EInvalid, inMsg: `"br" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, fwd := newTestServer(t, func(c *Config) { c.MaxBodyBytes = 64 << 10 })
			require.Less(t, len(tt.body), 64<<10, "the compressed body itself is under the limit")
			w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", tt.body, "Content-Encoding", tt.encoding)
			require.Equal(t, tt.status, w.Code, w.Body.String())
			e := errorOf(t, w.Body.Bytes())
			require.NotNil(t, e.Error.Code)
			assert.Equal(t, tt.code, *e.Error.Code)
			assert.Contains(t, e.Error.Message, tt.inMsg)
			assert.Zero(t, fwd.calls.Load(), "nothing is forwarded")
		})
	}
}

// --max-body takes any positive size: at the largest, a body is read
// whole, plain or gzip'd, rather than as an empty one.
func TestTheLargestBodyLimitReadsTheBody(t *testing.T) {
	srv, _, fwd := newTestServer(t, func(c *Config) { c.MaxBodyBytes = math.MaxInt64 })
	for _, enc := range []string{"identity", "gzip"} {
		body := chatBody
		if enc == "gzip" {
			body = gzipped(t, chatBody)
		}
		w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", body, "Content-Encoding", enc)
		require.Equal(t, http.StatusOK, w.Code, "%s: %s", enc, w.Body.String())
		assert.Contains(t, string(fwd.lastCall.Load().Raw), "What is the capital of France?", enc)
	}
}
