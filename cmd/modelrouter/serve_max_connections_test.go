package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// heldConn is a client connection that carried one call and is kept
// alive, holding its place under --max-connections.
type heldConn struct {
	net.Conn
	r *bufio.Reader
}

// dialAndCall opens a connection to addr and sends GET /healthz on it,
// returning the answer (its body read) and the connection, kept open.
func dialAndCall(t *testing.T, addr string) (*http.Response, string, *heldConn) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	hc := &heldConn{Conn: c, r: bufio.NewReader(c)}
	resp, err := http.ReadResponse(hc.r, nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body), hc
}

// --max-connections 2: two clients hold their kept-alive connections; a
// third connection is answered at once 503 too_many_connections, with
// Retry-After, and closed (not left waiting in the kernel's backlog with
// no word); once one of the two closes, a new connection is served; and
// the shutdown, connections at the cap included, ends.
func TestMaxConnectionsAnswersAConnectionPastTheCap503AndServesOnceOneCloses(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) { o.maxConns = 2 })
	addr := strings.TrimPrefix(base, "http://")

	resp, _, first := dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _, _ = dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	resp, body, third := dialAndCall(t, addr)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, body)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.True(t, resp.Close, "the refusal says Connection: close")
	var e struct {
		Error struct{ Code, Type, Message string }
	}
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	assert.Equal(t, "too_many_connections", e.Error.Code)
	assert.Equal(t, "service_unavailable_error", e.Error.Type)
	assert.Contains(t, e.Error.Message, "--max-connections 2")
	_, err := third.r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the refused connection is closed")

	// One of the two closes: its place is given back (once the gateway
	// has seen it close, which a client retrying after Retry-After meets).
	first.Close()
	require.Eventually(t, func() bool {
		resp, _, c := dialAndCall(t, addr)
		if resp.StatusCode != http.StatusOK {
			c.Close()
			return false
		}
		return true // kept open: at the cap again
	}, 10*time.Second, 10*time.Millisecond, "a new connection is served once one of the two closed")

	// At the cap again (the second held, and the new one), the shutdown ends.
	resp, _, _ = dialAndCall(t, addr)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	stop()
	requireServeStopped(t, done, 30*time.Second)
}

// A negative --max-connections is refused at start; 0 is no cap.
func TestServeRefusesANegativeMaxConnections(t *testing.T) {
	_, err := parseServeArgs([]string{"--max-connections", "-1"}, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "max_connections -1: must not be negative")
	path := writeConfig(t, `{"max_connections": 3}`)
	o, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 3, o.maxConns, "the config file's max_connections is read")
}

// A gateway at its cap whose connections open and close (clients that do
// not keep theirs alive) refuses one connection after each that closes:
// the server log gets a line at the first refusal and then at most one a
// minute for the address, counting them (the log of refused requests),
// not a line for each, and modelrouter_refused_requests_total counts
// every refusal.
func TestMaxConnectionsRefusalsAtAChurningCapLogOneLineAMinute(t *testing.T) {
	const cycles = 5
	base, logs := startServeJSONLog(t, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) { o.maxConns = 1 })
	addr := strings.TrimPrefix(base, "http://")
	servedOnce := func() *heldConn {
		var held *heldConn
		require.Eventually(t, func() bool {
			resp, _, c := dialAndCall(t, addr)
			if resp.StatusCode != http.StatusOK {
				c.Close()
				return false
			}
			held = c
			return true
		}, 10*time.Second, 10*time.Millisecond, "a connection is served once the one before closed")
		return held
	}
	for range cycles {
		held := servedOnce()
		resp, _, refused := dialAndCall(t, addr)
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		refused.Close()
		held.Close()
	}

	lines := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "too_many_connections") {
			lines++
			assert.Contains(t, l, `"client":"127.0.0.1"`, l)
		}
	}
	assert.Equal(t, 1, lines, "one line for the address within the minute, not one per refusal:\n%s", logs.String())

	held := servedOnce()
	_, err := io.WriteString(held, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(held.r, nil)
	require.NoError(t, err)
	metrics, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var counted float64
	for _, l := range strings.Split(string(metrics), "\n") {
		if v, ok := strings.CutPrefix(l, `modelrouter_refused_requests_total{reason="too_many_connections"} `); ok {
			counted, err = strconv.ParseFloat(v, 64)
			require.NoError(t, err)
		}
	}
	assert.GreaterOrEqual(t, counted, float64(cycles), "every refusal is counted")
}

// Under --max-connections a body refused for its size is answered 413 and
// its connection then ends with a clean close, as without a cap (net/http
// half-closes it before its last wait), not a reset that can take the 413
// with it while the client is still sending.
func TestMaxConnectionsKeepsTheCleanCloseAfterABodyRefusedForItsSize(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.maxConns = 2
		o.maxBody = 1024
	})
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"+strings.Repeat(" ", 64<<10))
	require.NoError(t, err)
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	_, err = r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the connection ends with a clean close, not a reset")
}
