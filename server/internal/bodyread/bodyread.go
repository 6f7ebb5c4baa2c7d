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
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// DefaultTimeout is the bound on silence when none is configured.
const DefaultTimeout = time.Minute

// ReadAll reads body (a request's body, or a reader over it such as
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
func ReadAll(w http.ResponseWriter, body io.Reader, timeout time.Duration) ([]byte, error) {
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(timeout)) != nil {
		return io.ReadAll(body)
	}
	raw, err := io.ReadAll(&idleReader{r: body, rc: rc, timeout: timeout})
	if !Stalled(err) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return raw, err
}

// Stalled reports whether err ended a [ReadAll] because the body stopped
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
}

func (b *idleReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 && err == nil {
		_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	}
	return n, err
}
