package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkServeWithoutABody measures the requests that carry no body, the
// most common kind, through the gateway's handler (a health check and the
// model list, no network) and over one kept-alive loopback connection
// (where net/http's connection is real and a read deadline costs what it
// costs), with a chat call with its body beside them: what every request
// pays for a body no one reads to be given up (endUnreadBody).
func BenchmarkServeWithoutABody(b *testing.B) {
	h := benchGateway(b, nil)
	for _, path := range []string{"/healthz", "/v1/models"} {
		b.Run("handler GET "+path, func(b *testing.B) {
			serve := func() *httptest.ResponseRecorder {
				w := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Host = loopbackHost
				h.ServeHTTP(w, req)
				return w
			}
			require.Equal(b, http.StatusOK, serve().Code)
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}

	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	b.Cleanup(client.CloseIdleConnections)
	chat := []byte(`{"model":"model-router","messages":[{"role":"system","content":"You are a helpful assistant."},` +
		`{"role":"user","content":"Explain in two sentences why the sky is blue."}]}`)
	for _, r := range []struct {
		name, method, path string
		body               []byte
	}{
		{"loopback GET /healthz", http.MethodGet, "/healthz", nil},
		{"loopback POST /v1/chat/completions", http.MethodPost, "/v1/chat/completions", chat},
	} {
		b.Run(r.name, func(b *testing.B) {
			do := func() int {
				var body io.Reader = http.NoBody
				if r.body != nil {
					body = bytes.NewReader(r.body)
				}
				req, err := http.NewRequest(r.method, ts.URL+r.path, body)
				if err != nil {
					b.Fatal(err)
				}
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp.StatusCode
			}
			require.Equal(b, http.StatusOK, do(), r.name)
			b.ReportAllocs()
			for b.Loop() {
				do()
			}
		})
	}
}
