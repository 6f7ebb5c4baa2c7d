package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
)

// capRetryAfter is the wait a connection refused at the cap is told:
// a place frees as soon as any client's call ends and its client closes
// the connection, and the OpenAI and Anthropic SDKs honor Retry-After on
// the 503 they retry (twice by default).
const capRetryAfter = time.Second

// refusalLinger bounds how long a refused connection is kept after its
// 503 to read what its client sent: closed with unread bytes, the kernel
// resets it and the client may lose the 503 for a bare "connection reset".
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
type cappedListener struct {
	net.Listener
	max     int64
	open    atomic.Int64
	refusal []byte // the whole 503, written as is
	// refused is told of each refusal, before its 503 goes out, with the
	// client's address: the log of refused requests (refusedlog), which
	// writes a line a minute at most per address however often
	// connections open and close at the cap, and the metric.
	refused func(client net.Addr)
}

// capReason is the refusal's error code, and its reason in the log of
// refused requests and in modelrouter_refused_requests_total.
const capReason = "too_many_connections"

// capConnections wraps ln so that at most max client connections are
// open at once; max 0 is no cap (ln itself).
func capConnections(ln net.Listener, max int, refused func(client net.Addr)) net.Listener {
	if max <= 0 {
		return ln
	}
	return &cappedListener{Listener: ln, max: int64(max), refusal: capRefusal(max), refused: refused}
}

// capRefusal is the HTTP/1.1 503 a connection past the cap gets, in the
// OpenAI error shape of every other gateway error (apierr): which API the
// client calls is not read, so as to hold nothing for a client that sends
// nothing.
func capRefusal(max int) []byte {
	err := &router.Error{Code: router.EUnavailable, Reason: capReason, RetryAfter: capRetryAfter,
		Message: fmt.Sprintf("the gateway has as many client connections open as it takes (--max-connections %d); try again shortly", max)}
	status, body := apierr.Response(err)
	var js bytes.Buffer
	_ = json.NewEncoder(&js).Encode(body)
	h := http.Header{"Content-Type": {"application/json"}}
	apierr.SetHeaders(h, err)
	resp := &http.Response{StatusCode: status, ProtoMajor: 1, ProtoMinor: 1, Header: h, Close: true,
		ContentLength: int64(js.Len()), Body: io.NopCloser(&js)}
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
		if l.open.Add(1) <= l.max {
			return &cappedConn{Conn: c, release: l.release}, nil
		}
		l.open.Add(-1)
		go l.refuse(c)
	}
}

func (l *cappedListener) release() { l.open.Add(-1) }

// refuse writes the 503, ends the connection's writing side, reads (and
// drops) what its client sent for up to refusalLinger, then closes it.
func (l *cappedListener) refuse(c net.Conn) {
	defer c.Close()
	l.refused(c.RemoteAddr())
	_ = c.SetDeadline(time.Now().Add(refusalLinger))
	if _, err := c.Write(l.refusal); err != nil {
		return
	}
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20))
}

// cappedConn gives its place back once, when closed. It keeps its
// connection's CloseWrite, which net/http looks for on the conn it was
// given: with it, a connection closed after a body refused for its size
// ends with the 413 and a clean close, not a reset that can lose the 413.
type cappedConn struct {
	net.Conn
	once    sync.Once
	release func()
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
