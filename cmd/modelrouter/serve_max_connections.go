package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server"
	"github.com/modelrouter/modelrouter/server/apierr"
)

// capRetryAfter is the wait a connection refused at the cap is told:
// a place frees as soon as any client's call ends (its connection then
// idle, which a new one takes the place of), and the OpenAI and Anthropic SDKs honor Retry-After on
// the 503 they retry (twice by default).
const capRetryAfter = time.Second

// refusalLinger bounds how long a refused connection is kept: waiting for
// its request, and after the 503 reading what its client sent, since one
// closed with unread bytes is reset by the kernel and its client may lose
// the 503 for a bare "connection reset".
const refusalLinger = time.Second

// cappedListener caps the gateway's open client connections
// (--max-connections). We write our own rather than use
// golang.org/x/net/netutil.LimitListener, and rather than stop accepting
// at the cap as that one does: a connection the gateway does not accept
// still completes in the kernel's backlog, and its client, sure it is
// connected, waits with no word, behind streams that hold their
// connections for minutes, until its SDK's read timeout (600 s). Past the
// cap this one accepts the connection and answers it at once 503
// too_many_connections with Retry-After and Connection: close, which a
// client retries and a load balancer sends to another gateway. Accept
// never waits for a place, so a shutdown has nothing to unblock.
//
// Before refusing, it makes room as nginx does out of worker connections:
// it closes the connection kept alive idle the longest (makeRoom) and
// accepts the new one in its place. Clients keep pools of idle connections
// (the SDKs for some 90 s, the gateway's idle timeout is 2 minutes), and a
// cap whose places such connections held would turn away new clients while
// no call was under way. Only a connection between calls is closed, never
// a new one, whose first call may be on its way.
type cappedListener struct {
	net.Listener
	max  int64
	open atomic.Int64
	// refusal is the whole 503, written as is; anthropicRefusal the
	// same in Anthropic's error shape, for a Messages call.
	refusal, anthropicRefusal []byte
	// refused is told of each refusal, before its 503 goes out, with the
	// client's address: the log of refused requests (refusedlog), which
	// writes a line a minute at most per address however often
	// connections open and close at the cap, and the metric.
	refused func(client net.Addr)
	// makeRoom closes the connection idle between calls the longest whose
	// client has sent nothing since its last answer, and says whether it
	// found one (openConns.closeLongestIdle).
	makeRoom func() bool
}

// capReason is the refusal's error code, and its reason in the log of
// refused requests and in modelrouter_refused_requests_total.
const capReason = "too_many_connections"

// capConnections wraps ln so that at most max client connections are
// open at once; max 0 is no cap (ln itself).
func capConnections(ln net.Listener, max int, makeRoom func() bool, refused func(client net.Addr)) net.Listener {
	if max <= 0 {
		return ln
	}
	return &cappedListener{Listener: ln, max: int64(max), makeRoom: makeRoom, refused: refused,
		refusal: capRefusal(max, apierr.Write), anthropicRefusal: capRefusal(max, apierr.WriteAnthropic)}
}

// capRefusal is the HTTP/1.1 503 a connection past the cap gets, written
// by write: apierr.Write, the OpenAI error shape of every other gateway
// error, or apierr.WriteAnthropic, the Messages API's (refusalFor).
func capRefusal(max int, write func(http.ResponseWriter, error)) []byte {
	err := &router.Error{Code: router.EUnavailable, Reason: capReason, RetryAfter: capRetryAfter,
		Message: fmt.Sprintf("the gateway has as many client connections open as it takes (--max-connections %d); try again shortly", max)}
	// Written as every handler writes an error, then framed as a response
	// to send on the bare connection.
	rec := httptest.NewRecorder()
	write(rec, err)
	resp := rec.Result()
	resp.Close, resp.ContentLength = true, int64(rec.Body.Len())
	var out bytes.Buffer
	_ = resp.Write(&out)
	return out.Bytes()
}

func (l *cappedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		// The closed connection gives its place back as makeRoom closes
		// it, and only this loop takes places: the second take succeeds.
		if l.take() || (l.makeRoom() && l.take()) {
			return &cappedConn{Conn: c, release: l.release}, nil
		}
		go l.refuse(c)
	}
}

// take takes a place if one is free.
func (l *cappedListener) take() bool {
	if l.open.Add(1) <= l.max {
		return true
	}
	l.open.Add(-1)
	return false
}

func (l *cappedListener) release() { l.open.Add(-1) }

// refuse answers the connection's first request 503: it waits for the
// request's first bytes, writes the 503, ends the connection's writing
// side, reads (and drops) what else its client sends, then closes it, all
// within refusalLinger. A 503 written before the request reaches a client
// that has dialed but not yet written, and Go's transport takes it for an
// unsolicited response on an idle connection: it fails the call with an
// error it does not retry, where it retries a 503. A client that sends
// nothing within refusalLinger is closed with no answer, as the header
// timeout closes one.
func (l *cappedListener) refuse(c net.Conn) {
	defer c.Close()
	l.refused(c.RemoteAddr())
	_ = c.SetDeadline(time.Now().Add(refusalLinger))
	first := make([]byte, 4096)
	n, err := c.Read(first)
	if err != nil {
		return
	}
	if _, err := c.Write(l.refusalFor(first[:n])); err != nil {
		return
	}
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// refusalFor is the refusal for the request that begins with head: in
// Anthropic's error shape when its request line names a Messages path
// (server.AnthropicShapedPath), which its SDKs read, else OpenAI's. Only
// the request line is read, and only from the first bytes that came, so
// as to hold nothing for a client that sends them slowly: when they do not
// hold the whole line, the refusal is in OpenAI's shape.
func (l *cappedListener) refusalFor(head []byte) []byte {
	line, _, whole := bytes.Cut(head, []byte("\n"))
	if !whole {
		return l.refusal
	}
	// Method, target, version; the target in origin or absolute form.
	fields := strings.Fields(string(line))
	if len(fields) != 3 {
		return l.refusal
	}
	if u, err := url.ParseRequestURI(fields[1]); err == nil && server.AnthropicShapedPath(u.Path) {
		return l.anthropicRefusal
	}
	return l.refusal
}

// cappedConn gives its place back once, when closed. It keeps its
// connection's CloseWrite, which net/http looks for on the conn it was
// given: with it, a connection closed after a body refused for its size
// ends with the 413 and a clean close, not a reset that can lose the 413.
//
// It also knows whether its client has sent anything since the gateway
// last wrote to it, which http.Server's StateIdle does not say: the server
// reports a connection active only once a call's whole header is read, so
// one whose next call has begun to arrive still reads idle, and closing it
// to make room would cut that call.
type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
	// quiet is since when the gateway last wrote to the connection with
	// nothing read from it since (quietClock, above 0); connHeard once
	// bytes were read since (or before anything was written), connClaimed
	// once closed to make room. Since the last write, not since
	// StateIdle: the order of connections idle is then the order their
	// clients got their answers in, which a server goroutine slow to
	// report StateIdle does not change.
	quiet atomic.Int64
}

const (
	connHeard   int64 = 0
	connClaimed int64 = -1
)

// quietEpoch makes quietClock monotonic (time.Since), not wall time.
var quietEpoch = time.Now()

func quietClock() int64 { return int64(time.Since(quietEpoch)) + 1 }

// Write marks the connection quiet before writing, so that bytes read
// from here on, the next call's once the answer has gone out, mark it
// heard.
func (c *cappedConn) Write(p []byte) (int, error) {
	now := quietClock()
	for v := c.quiet.Load(); v != connClaimed && !c.quiet.CompareAndSwap(v, now); v = c.quiet.Load() {
	}
	return c.Conn.Write(p)
}

// Read marks the connection heard, or, once it is claimed to make room,
// drops what it read: closeLongestIdle claims it before closing it, and
// bytes read in between, the start of a call sent just then, would have
// that call run on a connection closed under it, its answer lost. Dropped,
// the call is unread, as if it came after the close, and safe to send again.
func (c *cappedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.markHeard() {
		return 0, net.ErrClosed
	}
	return n, err
}

// markHeard marks the connection heard, unless it is claimed (false).
func (c *cappedConn) markHeard() bool {
	for {
		v := c.quiet.Load()
		switch {
		case v == connClaimed:
			return false
		case v == connHeard || c.quiet.CompareAndSwap(v, connHeard):
			return true
		}
	}
}

// quietSince is since when the connection has been quiet (quietClock),
// 0 or less when it is not.
func (c *cappedConn) quietSince() int64 { return c.quiet.Load() }

// claimQuiet claims the connection to be closed if its client has sent
// nothing since its last answer; once claimed, bytes that arrive are
// dropped unread (Read), so no call on it runs.
func (c *cappedConn) claimQuiet() bool {
	v := c.quiet.Load()
	return v > 0 && c.quiet.CompareAndSwap(v, connClaimed)
}

func (c *cappedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// CloseWrite half-closes the connection, as a *net.TCPConn does.
func (c *cappedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// closeLongestIdle makes room for a new connection at the cap: it closes
// the connection idle between calls the longest whose client has sent
// nothing since its last answer, and says whether there was one. A new
// connection is never closed (its first call may be on its way), nor one
// a call is arriving on. A client that sends its next call just as its
// connection is closed sees the connection closed or reset, as at the
// idle timeout, with nothing of the call run; Go's transport and the SDKs
// retry such a call on a new connection.
func (c *openConns) closeLongestIdle() bool {
	type candidate struct {
		conn  *cappedConn
		since int64
	}
	c.mu.Lock()
	var idle []candidate
	for conn, w := range c.open {
		q, ok := conn.(*cappedConn)
		if !ok || !w.betweenCalls {
			continue
		}
		if since := q.quietSince(); since > 0 {
			idle = append(idle, candidate{q, since})
		}
	}
	sort.Slice(idle, func(i, j int) bool { return idle[i].since < idle[j].since })
	for _, cand := range idle {
		if conn := cand.conn; conn.claimQuiet() {
			// Gone from the tracking now, not when its server goroutine
			// sees it closed: the next connection at the cap must not
			// pick it again.
			delete(c.open, conn)
			c.mu.Unlock()
			_ = conn.Close()
			return true
		}
	}
	c.mu.Unlock()
	return false
}
