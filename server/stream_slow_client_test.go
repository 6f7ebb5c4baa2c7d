package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// Through the whole gateway (gin's writer included), a client that stops
// reading a stream but keeps its connection does not hold the request:
// the stream's silence limit (the gateway reads nothing from the provider
// while its write to the client waits) cuts the writes to it, and its
// decision-log row is written, as a 502.
func TestStreamToAClientThatStopsReadingIsLoggedAtTheSilenceLimit(t *testing.T) {
	chunk := `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"mini","choices":[{"index":0,"delta":{"content":"` +
		strings.Repeat("x", 16<<10) + `"},"finish_reason":null}]}` + "\n\n"
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		for range 4000 { // 64 MiB, more than any socket buffer
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(func() {
		big.CloseClientConnections()
		big.Close()
	})
	e := newE2E(t, func(cfg *Config) {
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		fwd.StreamIdle = 500 * time.Millisecond
		p := fwd.Providers.ByName["openai"]
		p.BaseURL = big.URL + "/v1"
		fwd.Providers.ByName["openai"] = p
	})
	n := len(e.log.all())
	u, err := url.Parse(e.url)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	body := `{"model":"model-router","stream":true,"messages":[{"role":"user","content":"hi"}],"routing_config":{"models":["mini"]}}`
	_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		u.Host, e2eKey, len(body), body)
	require.NoError(t, err)
	// Read the status line, so the stream has begun, then stop reading.
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "200")
	// The gateway pushes megabytes into the connection's buffers before
	// its writes wait: 2.7-2.9 s under -race on an idle 2-core machine,
	// past waitFor's 5 s once CI runs other packages beside it.
	recs := e.log.waitForWithin(t, n+1, 30*time.Second)
	require.Len(t, recs, n+1, "the row is written while the client still holds its connection")
	assert.Equal(t, http.StatusBadGateway, recs[n].Status)
}
