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

// keptAliveLinger is how long, at shutdown, a connection kept alive
// still takes its next call once its last answer went out (or, for one
// idle at the signal, from the signal on) before the gateway closes it.
// Closed at once, a call its client sent on it just then is lost with a
// bare EOF (or "server closed idle connection"): nothing says whether the
// gateway ran it, so no client retries a POST safely. Within the linger
// such a call is read and answered, with Connection: close; one that
// comes past the first linger into the shutdown is answered 503 without
// reaching a model (serve's refuse, server.Config.Refuse). A client that
// dials afresh meanwhile is refused, an error it can retry. An answer begun before the signal (a
// stream) could not say Connection: close, so its connection needs the
// linger when it ends, however late in the grace. Across a network a call
// is in flight a round trip; a second covers that.
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
// ConnState) and since when each has carried no call, so the linger can
// close each once it has been idle for the linger and end once none is
// left. Every open one counts, not only those idle between calls: a
// connection whose answer was going out as the shutdown began (its
// Connection: close came too late for it) turns idle a moment later, and
// its client may already be sending the next call on it; a connection
// accepted just before the listener stopped has a call on its way.
// Under --max-connections it also names the connection idle between calls
// the longest, which a new connection at the cap takes the place of
// (closeLongestIdle).
type openConns struct {
	mu   sync.Mutex
	open map[net.Conn]connWait
}

// connWait is what an open connection waits for.
type connWait struct {
	since time.Time // since when idle (or new); zero while a call is under way
	// betweenCalls: idle after an answer (StateIdle), not new (StateNew),
	// whose client may be about to send its first call.
	betweenCalls bool
}

func (c *openConns) track(conn net.Conn, state http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[net.Conn]connWait{}
	}
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(c.open, conn)
	case http.StateActive:
		c.open[conn] = connWait{}
	default: // new or idle: waiting for a call
		c.open[conn] = connWait{since: time.Now(), betweenCalls: state == http.StateIdle}
	}
}

func (c *openConns) none() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open) == 0
}

// busy says whether a call is under way on any connection.
func (c *openConns) busy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.open {
		if w.since.IsZero() {
			return true
		}
	}
	return false
}

// closeIdleSince closes the connections that have waited for a call since
// before cutoff. Their state changes come back through track.
func (c *openConns) closeIdleSince(cutoff time.Time) {
	c.mu.Lock()
	var stale []net.Conn
	for conn, w := range c.open {
		if !w.since.IsZero() && w.since.Before(cutoff) {
			stale = append(stale, conn)
		}
	}
	c.mu.Unlock()
	for _, conn := range stale {
		_ = conn.Close()
	}
}

// lingerKeptAlive begins a shutdown: it stops accepting connections,
// marks every answer from now on Connection: close, and waits until no
// connection is left open (less when the grace, a second signal or the
// drain's bound ends ctx), closing each connection once it has waited the
// linger for a call, from the signal or from its last answer, whichever
// is later. So a call on its way over a kept-alive connection is read and
// answered, also on one whose answer ends late in the grace. A call still
// running when ctx ends is the shutdown's to cut.
func lingerKeptAlive(ctx context.Context, ln *stoppableListener, closing *atomic.Bool, conns *openConns, linger time.Duration) {
	closing.Store(true)
	ln.stop()
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !conns.none() {
		select {
		case now := <-tick.C:
			cutoff := now.Add(-linger)
			if cutoff.Before(start) {
				continue // the linger from the signal: every connection waits it out
			}
			conns.closeIdleSince(cutoff)
		case <-ctx.Done():
			return
		}
	}
}
