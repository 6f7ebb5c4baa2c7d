// Package bodyread reads a request body under a bound on silence, as
// nginx's client_body_timeout does: the body may take as long as it needs
// while it keeps arriving, but a gap of Timeout between two successive
// reads ends it. A bound on the whole body would refuse a large body (20
// MiB of base64 images) on a slow but steady link; no bound at all would
// let a client that sends part of a body and then nothing hold its
// connection and a handler for ever, since the server bounds only the
// headers.
//
// Silence alone is not enough: a client that sends a byte just inside
// every Timeout holds its connection, a handler and its partial body for
// years (slowloris), and a few such fill --max-connections. So a body may
// also be held to a minimum average rate since its read began, after a
// grace period, as ASP.NET Core's Kestrel holds its MinRequestBodyDataRate:
// a large body on a slow but honest link is far above it.
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

// DefaultGrace is how long a body's read may go before its average rate is
// held to a [Limit]'s MinRate: 5 seconds, as ASP.NET Core's Kestrel does
// for its MinRequestBodyDataRate (240 bytes a second), long enough for a
// slow start (TCP's, a client's own) on an honest link.
const DefaultGrace = 5 * time.Second

// ErrStopped ends a [ReadAllUntil] whose stop came before the body was in.
var ErrStopped = errors.New("request body: the read was stopped")

// ReadAllUntil reads body (a request's body, or a reader over it such as
// [http.MaxBytesReader]) to its end under l's bounds on time (all of l
// but Max). The connection's read deadline is set l.Timeout ahead before
// the first read and moved l.Timeout ahead again after every read that
// returns data. With l.MinRate, it is also never later than the moment the
// body's average rate since its read began would fall below l.MinRate, once
// l's grace period (DefaultGrace unless set) has passed. A body that stops
// arriving for l.Timeout, or arrives too slowly, fails with an error that
// wraps [os.ErrDeadlineExceeded] ([Stalled]; [StalledError] says which);
// the deadline then stays in the past, so net/http's read of what is left
// of the body, before it answers, fails at once, and it closes the
// connection. Otherwise the deadline is lifted: it covers the body, never
// the answer (a long streamed answer would be cut).
//
// Where w cannot set deadlines (a test recorder) the read is unbounded.
//
// It also ends, with [ErrStopped], as soon as l.Stop is done (nil: never):
// a shutdown ends the calls still open, and one whose body is still
// arriving must not hold its handler until its connection is closed under
// it, unanswered. As after a stall, the deadline stays in the past, so the
// connection closes once the handler has answered.
//
// size is how long the body says it is (-1: it does not say): the read's
// buffers grow toward it (readAll).
func ReadAllUntil(w http.ResponseWriter, body io.Reader, l Limit, size int64) ([]byte, error) {
	var raw []byte
	err := ReadWith(w, body, l, func(r io.Reader) (err error) {
		raw, err = readAll(r, size)
		return err
	})
	if errors.Is(err, ErrStopped) {
		return nil, err // even a body that came whole: its deadline is in the past
	}
	return raw, err
}

// ReadWith is [ReadAllUntil] for a reader that keeps nothing: read gets
// the body under the same bounds and the same stop, and its error comes
// back ([ErrStopped] where l.Stop came first). Whether the body stalled is
// told by what the body's reads returned, whatever read makes of it.
func ReadWith(w http.ResponseWriter, body io.Reader, l Limit, read func(io.Reader) error) error {
	rc := http.NewResponseController(w)
	r := &idleReader{r: body, rc: rc, timeout: l.Timeout, began: time.Now()}
	if l.MinRate > 0 {
		r.minRate = float64(l.MinRate)
		r.grace = l.Grace
		if r.grace <= 0 {
			r.grace = DefaultGrace
		}
	}
	if rc.SetReadDeadline(r.deadline(r.began)) != nil {
		return read(body)
	}
	if l.Stop != nil {
		defer context.AfterFunc(l.Stop, r.stop)()
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
// arriving for its timeout or arrived below its minimum rate.
func Stalled(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// StalledError is what a handler answers a stalled body (err, [Stalled])
// with: 408 timeout in its API's error shape (apierr maps it), the same
// words on every route, saying whether the body went silent or came too
// slowly.
func StalledError(err error) error {
	var s *stallError
	switch {
	case !errors.As(err, &s):
		return router.Errorf(router.ETimeout, "The request body stopped arriving; the connection is closed.")
	case s.minRate > 0:
		return router.Errorf(router.ETimeout,
			"The request body arrived at %.0f bytes a second (%d bytes in %s), under the minimum of %.0f bytes a second; the connection is closed.",
			float64(s.read)/s.after.Seconds(), s.read, s.after.Round(time.Millisecond), s.minRate)
	default:
		return router.Errorf(router.ETimeout,
			"No part of the request body arrived for %s; the connection is closed.", s.timeout)
	}
}

// stallError is a body read's deadline passing, with what it bounded: the
// silence (timeout) or, where minRate is set, the rate.
type stallError struct {
	err     error // the read's, wrapping os.ErrDeadlineExceeded
	timeout time.Duration
	minRate float64       // bytes a second; 0: the silence ended it
	read    int64         // bytes read when it ended
	after   time.Duration // since the read began
}

func (e *stallError) Error() string { return e.err.Error() }
func (e *stallError) Unwrap() error { return e.err }

// idleReader moves the read deadline forward as data arrives. Setting a
// deadline resets one runtime timer, a few hundred nanoseconds: even one
// read per 1.5 KB segment of a 20 MiB body adds a few milliseconds to a
// transfer of seconds, so it is done on every read rather than rationed.
// The rate's bound adds a float division per read to the time.Now the
// silence's already takes.
type idleReader struct {
	r       io.Reader
	rc      *http.ResponseController
	timeout time.Duration
	minRate float64 // bytes a second; 0: no minimum
	grace   time.Duration
	began   time.Time
	n       int64 // bytes read so far
	byRate  bool  // the deadline set last is the rate's, not the silence's
	err     error // the last read's

	// mu orders stop against the deadline's moves: once stopped, no read
	// moves it forward again, and once done, stop leaves the connection
	// alone (a deadline in the past after the body would cut the call).
	mu            sync.Mutex
	stopped, done bool
}

func (b *idleReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if n > 0 && err == nil {
		b.mu.Lock()
		if !b.stopped {
			_ = b.rc.SetReadDeadline(b.deadline(time.Now()))
		}
		b.mu.Unlock()
	}
	if Stalled(err) {
		s := &stallError{err: err, timeout: b.timeout}
		if b.byRate {
			s.minRate, s.read, s.after = b.minRate, b.n, time.Since(b.began)
		}
		err = s
	}
	b.err = err
	return n, err
}

// deadline is the read deadline at now: the silence's bound, or the rate's
// where that comes first. The rate's is the moment the bytes read so far,
// averaged since the read began, fall below minRate, and never before the
// grace period's end: the first bytes of a body (a TCP window, a TLS
// handshake's round trips) say nothing of its rate.
func (b *idleReader) deadline(now time.Time) time.Time {
	silence := now.Add(b.timeout)
	b.byRate = false
	if b.minRate <= 0 {
		return silence
	}
	allowed := max(float64(b.n)/b.minRate, b.grace.Seconds()) // since began
	if allowed >= silence.Sub(b.began).Seconds() {
		return silence // also keeps a huge count from overflowing a Duration
	}
	b.byRate = true
	return b.began.Add(time.Duration(allowed * float64(time.Second)))
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
