// Package bodyread reads a request body under a bound on silence, as
// nginx's client_body_timeout does: the body may take as long as it needs
// while it keeps arriving, but a gap of Timeout between two successive
// reads ends it. A bound on the whole body would refuse a large body (20
// MiB of base64 images) on a slow but steady link; no bound at all would
// let a client that sends part of a body and then nothing hold its
// connection and a handler for ever, since the server bounds only the
// headers.
//
// The gateway's API routes and the management API share it.
package bodyread

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// DefaultTimeout is the bound on silence when none is configured.
const DefaultTimeout = time.Minute

// ErrStopped ends a [ReadAllUntil] whose stop came before the body was in.
var ErrStopped = errors.New("request body: the read was stopped")

// ReadAllUntil reads body (a request's body, or a reader over it such as
// [http.MaxBytesReader]) to its end. The connection's read deadline is set
// timeout ahead before the first read and moved timeout ahead again after
// every read that returns data. A body that stops arriving for timeout
// fails with an error that wraps [os.ErrDeadlineExceeded]; the deadline
// then stays in the past, so net/http's read of what is left of the body,
// before it answers, fails at once, and it closes the connection.
// Otherwise the deadline is lifted: it covers the body, never the answer
// (a long streamed answer would be cut).
//
// Where w cannot set deadlines (a test recorder) the read is unbounded.
//
// It also ends, with [ErrStopped], as soon as stop is done (nil: never): a
// shutdown ends the calls still open, and one whose body is still arriving
// must not hold its handler until its connection is closed under it,
// unanswered. As after a stall, the deadline stays in the past, so the
// connection closes once the handler has answered.
func ReadAllUntil(stop context.Context, w http.ResponseWriter, body io.Reader, timeout time.Duration) ([]byte, error) {
	var raw []byte
	err := ReadWith(stop, w, body, timeout, func(r io.Reader) (err error) {
		raw, err = io.ReadAll(r)
		return err
	})
	if errors.Is(err, ErrStopped) {
		return nil, err // even a body that came whole: its deadline is in the past
	}
	return raw, err
}

// ReadWith is [ReadAllUntil] for a reader that keeps nothing: read gets
// the body under the same bound on silence and the same stop, and its
// error comes back ([ErrStopped] where stop came first). Whether the body
// stalled is told by what the body's reads returned, whatever read makes
// of it.
func ReadWith(stop context.Context, w http.ResponseWriter, body io.Reader, timeout time.Duration, read func(io.Reader) error) error {
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(timeout)) != nil {
		return read(body)
	}
	r := &idleReader{r: body, rc: rc, timeout: timeout}
	if stop != nil {
		defer context.AfterFunc(stop, r.stop)()
	}
	err := read(r)
	if r.finish() {
		return ErrStopped
	}
	if !Stalled(r.err) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return err
}

// Stalled reports whether err ended a [ReadAllUntil] because the body stopped
// arriving for the timeout.
func Stalled(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// StalledError is what a handler answers a stalled body with: 408 timeout
// in its API's error shape (apierr maps it), the same words on every route.
func StalledError(timeout time.Duration) error {
	return router.Errorf(router.ETimeout,
		"No part of the request body arrived for %s; the connection is closed.", timeout)
}

// idleReader moves the read deadline forward as data arrives. Setting a
// deadline resets one runtime timer, a few hundred nanoseconds: even one
// read per 1.5 KB segment of a 20 MiB body adds a few milliseconds to a
// transfer of seconds, so it is done on every read rather than rationed.
type idleReader struct {
	r       io.Reader
	rc      *http.ResponseController
	timeout time.Duration
	err     error // the last read's

	// mu orders stop against the deadline's moves: once stopped, no read
	// moves it forward again, and once done, stop leaves the connection
	// alone (a deadline in the past after the body would cut the call).
	mu            sync.Mutex
	stopped, done bool
}

func (b *idleReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.err = err
	if n > 0 && err == nil {
		b.mu.Lock()
		if !b.stopped {
			_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
		}
		b.mu.Unlock()
	}
	return n, err
}

// stop ends the read under way: its deadline is now.
func (b *idleReader) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done {
		b.stopped = true
		_ = b.rc.SetReadDeadline(time.Now())
	}
}

// finish ends the reading and reports whether stop came before.
func (b *idleReader) finish() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	return b.stopped
}
