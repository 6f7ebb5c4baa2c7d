package upstream

import (
	"context"
	"net/http"

	"github.com/modelrouter/modelrouter/router"
)

// A shutdown whose grace has run out closes the connections still open.
// Closed under a stream, the client's answer would just stop (no error
// event, no [DONE], which an SDK reading to the end takes for a whole
// answer), and the call would look like a client that left. So the server
// first ends its calls through Forwarder.Drain: each call's context ends
// as at its own deadline, the stream's client gets the error event of its
// API, and the call is logged as the gateway's cut (503).

// reasonShuttingDown is the error code of a call the gateway cut because
// it was shutting down.
const reasonShuttingDown = "server_shutting_down"

// drainWith ends the call (cancel) when the Forwarder drains; the returned
// func stops watching.
func (f *Forwarder) drainWith(cancel context.CancelFunc) (stop func()) {
	if f.Drain == nil {
		return func() {}
	}
	unwatch := context.AfterFunc(f.Drain, cancel)
	return func() { unwatch() }
}

// draining reports whether the Forwarder is ending its calls.
func (f *Forwarder) draining() bool { return f.Drain != nil && f.Drain.Err() != nil }

// ShuttingDown is the error of a call the gateway ends before forwarding
// it, because it drains (a body still arriving): the 503 a call drained
// before its answer began gets.
func ShuttingDown() error { return shuttingDown("") }

// shuttingDown is the error of a call cut before its answer began.
// attempts names what each model had returned.
func shuttingDown(attempts string) error {
	msg := "the gateway is shutting down; retry the request"
	if attempts != "" {
		msg += " (" + attempts + ")"
	}
	return &router.Error{Code: router.EUnavailable, Reason: reasonShuttingDown, Message: msg}
}

// cutAtShutdown ends a stream under way when the gateway drains: the
// client is told the answer is incomplete, in its API's error event.
func (a *attempt) cutAtShutdown(tr streamTranslator) (int, error) {
	msg := "the gateway is shutting down: the stream was cut before the answer was complete; retry the request"
	switch {
	case a.followsBackground(tr):
		msg = "the gateway is shutting down and ended this stream; " + readOnByID
	case a.readsBackground():
		// Sent again as it was, the read would replay what the client has.
		msg = "the gateway is shutting down and ended this stream; " + readOnFrom
	}
	a.writeStreamError(msg, "service_unavailable_error", reasonShuttingDown, tr)
	a.out.Status = http.StatusServiceUnavailable
	a.out.Err = &router.Error{Code: router.EUnavailable, Reason: reasonShuttingDown, Message: msg}
	return http.StatusServiceUnavailable, errCutAtShutdown
}
