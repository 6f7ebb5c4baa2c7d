package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
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

// dialUntilServed dials addr and calls until a connection is answered
// 200 (a place at the cap has freed), closing those refused, and returns
// the one served, kept open.
func dialUntilServed(t *testing.T, addr, why string) *heldConn {
	t.Helper()
	var held *heldConn
	require.Eventually(t, func() bool {
		resp, _, c := dialAndCall(t, addr)
		if resp.StatusCode != http.StatusOK {
			c.Close()
			return false
		}
		held = c
		return true
	}, 10*time.Second, 10*time.Millisecond, why)
	return held
}

// gatedOpenAI is a fake OpenAI upstream that holds every call, whatever
// its model, until the func it returns opens its gate (at the test's end
// at the latest).
func gatedOpenAI(t *testing.T) (*upstreamtest.Fake, func()) {
	t.Helper()
	fake := upstreamtest.NewOpenAI(t)
	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			fake.Set(m.UpstreamModel, upstreamtest.Behavior{Gate: gate})
			fake.Set(m.Name, upstreamtest.Behavior{Gate: gate})
		}
	}
	return fake, open
}

// startCallUnderWay sends a chat call on c and returns once the upstream
// has it: the gateway is in the middle of the call on that connection.
func startCallUnderWay(t *testing.T, c *heldConn, fake *upstreamtest.Fake) {
	t.Helper()
	before := len(fake.Requests())
	body := `{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`
	_, err := io.WriteString(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n"+body)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(fake.Requests()) > before }, 10*time.Second, time.Millisecond)
}

// --max-connections 2: two clients each have a call under way; a third
// connection is answered at once 503 too_many_connections, with
// Retry-After, and closed (not left waiting in the kernel's backlog with
// no word); once one of the two closes, a new connection is served; and
// the shutdown, connections at the cap included, ends.
func TestMaxConnectionsAnswersAConnectionPastTheCap503AndServesOnceOneCloses(t *testing.T) {
	fake, openGate := gatedOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) { o.maxConns = 2 })
	addr := strings.TrimPrefix(base, "http://")

	resp, _, first := dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	startCallUnderWay(t, first, fake)
	resp, _, second := dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	startCallUnderWay(t, second, fake)

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
	dialUntilServed(t, addr, "a new connection is served once one of the two closed") // kept open: at the cap again

	// At the cap again (the second, its call answered now, and the new
	// one), the shutdown ends.
	openGate()
	resp, err = http.ReadResponse(second.r, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	stop()
	requireServeStopped(t, done, 30*time.Second)
}

// --max-connections 2 with a connection kept alive idle after a finished
// call and one opened that has sent nothing yet: a third connection is
// served in the place of the idle one, which the gateway closes; the
// other is kept. (Which of several idle ones goes, the one idle the
// longest, is TestMaxConnectionsClosesTheConnectionIdleTheLongest's.)
func TestMaxConnectionsClosesTheLongestIdleConnectionForANewOne(t *testing.T) {
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "modelrouter.db"),
		func(o *serveOptions) { o.maxConns = 2 })
	addr := strings.TrimPrefix(base, "http://")
	resp, _, first := dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	silent, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer silent.Close()
	second := &heldConn{Conn: silent, r: bufio.NewReader(silent)}

	// Retried only while the gateway has yet to see the first call's
	// connection turn idle, a moment after its answer went out.
	require.Eventually(t, func() bool {
		resp, body, c := dialAndCall(t, addr)
		if resp.StatusCode != http.StatusOK {
			assert.Contains(t, body, "too_many_connections")
			c.Close()
			return false
		}
		return true
	}, 10*time.Second, 10*time.Millisecond, "a new connection is served in the place of an idle one")

	require.NoError(t, first.SetReadDeadline(time.Now().Add(10*time.Second))) // a hang guard
	_, err = first.r.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the idle connection was closed to make room")

	_, err = io.WriteString(second, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp, err = http.ReadResponse(second.r, nil)
	require.NoError(t, err, "the connection that had sent nothing was kept")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// --max-connections 3 with two calls under way and a connection opened
// that has sent nothing yet (its first call may be on its way): none is
// idle between calls, so a fourth connection is answered 503 and none of
// the three is closed.
func TestMaxConnectionsRefusesWhenNoConnectionIsIdle(t *testing.T) {
	fake, openGate := gatedOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) { o.maxConns = 3 })
	addr := strings.TrimPrefix(base, "http://")
	var calls []*heldConn
	for range 2 {
		resp, _, c := dialAndCall(t, addr)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		startCallUnderWay(t, c, fake)
		calls = append(calls, c)
	}
	silent, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer silent.Close()

	resp, body, _ := dialAndCall(t, addr)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, body)
	assert.Contains(t, body, "too_many_connections")

	_, err = io.WriteString(silent, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp, err = http.ReadResponse(bufio.NewReader(silent), nil)
	require.NoError(t, err, "the connection that had sent nothing was kept")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	openGate()
	for _, c := range calls {
		resp, err := http.ReadResponse(c.r, nil)
		require.NoError(t, err, "the calls under way were not cut")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
}

// eofConn tells once when its peer has closed it.
type eofConn struct {
	net.Conn
	once   *sync.Once
	closed chan struct{}
}

func (c *eofConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if errors.Is(err, io.EOF) {
		c.once.Do(func() { close(c.closed) })
	}
	return n, err
}

// A Go http.Client keeping its connection alive, which the gateway closed
// idle to make room for another client at --max-connections 1, makes its
// next call on a new connection, served.
func TestMaxConnectionsAGoClientWhoseIdleConnectionWasClosedCallsAgain(t *testing.T) {
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "modelrouter.db"),
		func(o *serveOptions) { o.maxConns = 1 })
	var dials atomic.Int32
	var once sync.Once
	firstClosed := make(chan struct{})
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil || dials.Add(1) > 1 {
			return c, err
		}
		return &eofConn{Conn: c, once: &once, closed: firstClosed}, nil
	}}}
	defer client.CloseIdleConnections()
	call := func() (int, string) {
		t.Helper()
		resp, err := client.Post(base+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(body)
	}
	status, body := call()
	require.Equal(t, http.StatusOK, status, body)

	dialUntilServed(t, strings.TrimPrefix(base, "http://"), "another client is served in the place of the idle connection")

	// The client's transport reads the close (not sending its next call on
	// the connection the very moment it closes: the race README describes).
	select {
	case <-firstClosed:
	case <-time.After(10 * time.Second): // a hang guard
		t.Fatal("the idle connection was not closed")
	}
	// Its next call, on a new connection, takes the place of the other
	// client's, idle now: retried (as its Retry-After says) only while the
	// gateway has yet to see that one turn idle after its answer.
	require.Eventually(t, func() bool {
		resp, err := client.Post(base+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			// A call sent on the closed connection just as the gateway
			// closed it, which the README says is safe to send again.
			t.Logf("retried: %v", err)
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			assert.Contains(t, string(body), "too_many_connections")
			return false
		}
		return true
	}, 10*time.Second, 10*time.Millisecond, "the next call is served")
	assert.GreaterOrEqual(t, dials.Load(), int32(2), "the next call went on a new connection")
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
// not keep theirs alive), each with a call under way, refuses one
// connection after each that closes:
// the server log gets a line at the first refusal and then at most one a
// minute for the address, counting them (the log of refused requests),
// not a line for each, and modelrouter_refused_requests_total counts
// every refusal.
func TestMaxConnectionsRefusalsAtAChurningCapLogOneLineAMinute(t *testing.T) {
	const cycles = 5
	fake, _ := gatedOpenAI(t)
	var logs syncBuffer
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.maxConns = 1
		o.logFormat = "json"
		o.logger = o.newLogger(&logs)
	})
	addr := strings.TrimPrefix(base, "http://")
	servedOnce := func() *heldConn {
		return dialUntilServed(t, addr, "a connection is served once the one before closed")
	}
	for range cycles {
		held := servedOnce()
		startCallUnderWay(t, held, fake) // not idle: its place is not taken
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

// loopbackPair is a TCP connection over 127.0.0.1: the client's end and
// the end a listener accepted, both closed at the test's end.
func loopbackPair(t *testing.T) (client, accepted net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	accepted, err = ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { accepted.Close() })
	return client, accepted
}

// A connection that reads idle to http.Server (StateActive comes only
// once a call's whole header is read) but whose client has begun to send
// its next call is not closed to make room: that would cut the call.
// Once the gateway writes to it again, it is quiet until it next hears.
func TestMaxConnectionsKeepsAnIdleConnectionWhoseNextCallHasBegun(t *testing.T) {
	client, accepted := loopbackPair(t)
	released := 0
	conn := &cappedConn{Conn: accepted, release: func() { released++ }}
	var conns openConns
	conns.track(conn, http.StateNew)
	assert.False(t, conns.closeLongestIdle(), "a new connection is not closed: its first call may be on its way")

	conns.track(conn, http.StateActive)
	_, err := conn.Write([]byte("an answer"))
	require.NoError(t, err)
	conns.track(conn, http.StateIdle)
	_, err = io.WriteString(client, "GET /healthz HTTP/1.1\r\n")
	require.NoError(t, err)
	_, err = conn.Read(make([]byte, 64))
	require.NoError(t, err)
	assert.False(t, conns.closeLongestIdle(), "the next call has begun to arrive")
	assert.Equal(t, 0, released)

	_, err = conn.Write([]byte("another answer"))
	require.NoError(t, err)
	assert.True(t, conns.closeLongestIdle(), "quiet since its last answer")
	assert.Equal(t, 1, released, "its place is given back")
	assert.True(t, conns.none(), "no longer tracked")
}

// A connection claimed to make room (closeLongestIdle claims it, then
// closes it) reads nothing its client sends once claimed, even bytes that
// arrive before the close: the server goroutine waiting on it for the next
// call would otherwise get them and run that call on a connection closed
// under it, its answer lost. Its client sees the connection closed, the
// call unread, safe to send again.
func TestMaxConnectionsAClaimedConnectionReadsNothingOfACallArrivingBeforeItsClose(t *testing.T) {
	client, accepted := loopbackPair(t)
	conn := &cappedConn{Conn: accepted, release: func() {}}
	_, err := conn.Write([]byte("an answer"))
	require.NoError(t, err)
	require.True(t, conn.claimQuiet(), "quiet since its answer")

	_, err = io.WriteString(client, "POST /v1/chat/completions HTTP/1.1\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second))) // a hang guard
	n, err := conn.Read(make([]byte, 64))
	assert.Zero(t, n, "no byte of the call is read")
	assert.ErrorIs(t, err, net.ErrClosed)
}

// Of the connections idle between calls, the one whose last answer went
// out first is closed to make room, then the next.
func TestMaxConnectionsClosesTheConnectionIdleTheLongest(t *testing.T) {
	var conns openConns
	var clients []*bufio.Reader
	for i := range 3 {
		client, accepted := loopbackPair(t)
		require.NoError(t, client.SetReadDeadline(time.Now().Add(10*time.Second))) // a hang guard
		clients = append(clients, bufio.NewReader(client))
		conn := &cappedConn{Conn: accepted, release: func() {}}
		conns.track(conn, http.StateActive)
		_, err := conn.Write([]byte(strconv.Itoa(i)))
		require.NoError(t, err)
		conns.track(conn, http.StateIdle)
	}
	for i, client := range clients {
		_, err := client.ReadByte() // its answer
		require.NoError(t, err)
		if i < 2 {
			require.True(t, conns.closeLongestIdle())
			_, err = client.ReadByte()
			assert.ErrorIs(t, err, io.EOF, "connection %d, idle the longest, is closed", i)
		}
	}
	assert.False(t, conns.none(), "the one idle the least is kept")
}

// A connection past the cap gets its 503 as the answer to its request,
// not before it: a 503 that comes first reaches a client that has dialed
// but not yet written, and Go's transport takes it for an unsolicited
// response on an idle connection and fails the call with an error it
// does not retry, where it retries the 503.
func TestMaxConnectionsAnswersTheRefusalOnceTheRequestIsSent(t *testing.T) {
	fake, openGate := gatedOpenAI(t)
	defer openGate()
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, _, _ := startServe(t, fake, db, func(o *serveOptions) { o.maxConns = 1 })
	addr := strings.TrimPrefix(base, "http://")
	resp, _, held := dialAndCall(t, addr)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	startCallUnderWay(t, held, fake)

	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(300*time.Millisecond)))
	n, err := c.Read(make([]byte, 64))
	require.Error(t, err, "the gateway wrote %d bytes before the request was sent", n)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout(), "nothing comes before the request: %v", err)

	require.NoError(t, c.SetReadDeadline(time.Time{}))
	_, err = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp, err = http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
}
