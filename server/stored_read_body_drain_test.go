package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A read of a stored answer whose body (OpenAI's Go SDK sends
// {"stream": true} with its GET) is still arriving when the gateway
// drains at shutdown is a request not yet answered: it gets the 503
// server_shutting_down every such call gets, not its connection closed
// under it once the grace is over.
func TestReadWhoseBodyIsStillArrivingAtShutdownIsAnswered503(t *testing.T) {
	drain, cut := context.WithCancel(context.Background())
	defer cut()
	e := newE2E(t, func(c *Config) { c.Drain = drain })
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET /v1/responses/resp_abc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n", e2eKey)
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "100 Continue", "the gateway reads the body")
	_, err = rd.ReadString('\n')
	require.NoError(t, err)
	_, err = io.WriteString(conn, `{"stream":`) // part of the body, then nothing
	require.NoError(t, err)

	cut()
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s", answer)
	assert.Contains(t, string(answer), "server_shutting_down")
}

// lockedBuffer is a log sink the server writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A read whose body breaks off is a client that left: no internal error
// is answered or logged for it.
func TestReadWhoseBodyBreaksOffIsNoInternalError(t *testing.T) {
	var logs lockedBuffer
	e := newE2E(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "GET /v1/responses/resp_abc HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"stream\":", e2eKey)
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).CloseWrite()) // the body ends short

	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.NotEqual(t, http.StatusInternalServerError, resp.StatusCode, "%s", answer)
	assert.NotContains(t, logs.String(), "internal error")
}
