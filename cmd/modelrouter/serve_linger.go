package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// keptAliveLinger is how long, at shutdown, connections kept alive from
// before the signal still take their next call before http.Server's
// Shutdown closes the ones left idle. Shutdown closes an idle connection
// at once, and a call its client sent on it just then is lost with a bare
// EOF (or "server closed idle connection"): nothing says whether the
// gateway ran it, so no client retries a POST safely. Within the linger
// such a call is read and answered, with Connection: close; a client
// that dials afresh meanwhile is refused, an error it can retry. Across
// a network a call is in flight a round trip; a second covers that.
const keptAliveLinger = time.Second

// errStoppedAccepting is how the gateway's Serve ends when shutdown
// stops its listener before calling Shutdown.
var errStoppedAccepting = errors.New("stopped accepting connections: shutting down")

// stoppableListener is the gateway's listener, which shutdown stops
// (stop) before http.Server's Shutdown, which then finds it closed.
type stoppableListener struct {
	net.Listener
	once    sync.Once
	stopped chan struct{}
}

func newStoppableListener(ln net.Listener) *stoppableListener {
	return &stoppableListener{Listener: ln, stopped: make(chan struct{})}
}

func (l *stoppableListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		select {
		case <-l.stopped:
			return nil, errStoppedAccepting
		default:
		}
	}
	return c, err
}

// stop closes the listener: no new connection is accepted; those open
// are served on.
func (l *stoppableListener) stop() {
	l.once.Do(func() {
		close(l.stopped)
		_ = l.Listener.Close()
	})
}

// Close is stop, so that Shutdown closing it again is no error.
func (l *stoppableListener) Close() error {
	l.stop()
	return nil
}

// closingAfterReply answers every call with Connection: close once
// closing is set, so each kept-alive connection closes after the call it
// carries instead of waiting idle for Shutdown to close it under the
// next one.
func closingAfterReply(h http.Handler, closing *atomic.Bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if closing.Load() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// openConns tracks the gateway's open connections (http.Server's
// ConnState), so the linger can end once none is left. Every open one
// counts, not only those idle between calls: a connection whose answer
// was going out as the shutdown began (its Connection: close came too
// late for it) turns idle a moment later, and its client may already be
// sending the next call on it; a connection accepted just before the
// listener stopped has a call on its way. Each closes after the call it
// carries next, answered with Connection: close.
type openConns struct {
	mu   sync.Mutex
	open map[net.Conn]struct{}
}

func (c *openConns) track(conn net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[net.Conn]struct{}{}
	}
	if state == http.StateClosed || state == http.StateHijacked {
		delete(c.open, conn)
	} else {
		c.open[conn] = struct{}{}
	}
}

func (c *openConns) none() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open) == 0
}

// lingerKeptAlive begins a shutdown: it stops accepting connections,
// marks every answer from now on Connection: close, and waits until no
// connection is left open, for the linger at most (less when the grace
// or a second signal ends ctx), so the calls already on their way over
// kept-alive connections are read and answered. A call still running
// when the linger ends is Shutdown's to wait for, as before.
func lingerKeptAlive(ctx context.Context, ln *stoppableListener, closing *atomic.Bool, conns *openConns, linger time.Duration) {
	closing.Store(true)
	ln.stop()
	deadline := time.NewTimer(linger)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !conns.none() {
		select {
		case <-tick.C:
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		}
	}
}
