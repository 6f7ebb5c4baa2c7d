package upstream

import (
	"context"
	"errors"
)

// A background response runs, and bills, at its provider whatever becomes
// of the stream that follows it: a stream the gateway ends (its call
// deadline, a shutdown) leaves the job going. Sending the call again, as a
// cut stream's error otherwise advises, would start and bill a second job
// whose first the client could no longer cancel; the client is told to
// read on by the id it already has instead.

// streamBackground is a translator that knows whether its stream is a
// background response's (OpenAI's "background": true).
type streamBackground interface {
	backgroundResponse() bool
}

// followsBackground reports whether the attempt's stream is the one a
// call opened a background response with.
func (a *attempt) followsBackground(tr streamTranslator) bool {
	if a.call.API != APIResponses || a.call.Relay != nil {
		return false // a replay's client reads on as it began: by the id
	}
	b, ok := tr.(streamBackground)
	return ok && b.backgroundResponse()
}

// readsBackground reports whether the attempt is a streamed read of a
// background response by its id: its job goes on at the provider whatever
// becomes of the read, which the client resumes from starting_after.
func (a *attempt) readsBackground() bool {
	return a.call.API == APIResponses && a.call.Relay != nil && a.call.Stream
}

// readOnFrom is how a client reads on a background response whose stream
// the gateway ended: after the last event it has, whose number the
// gateway's error event repeats.
const readOnFrom = "the background response goes on at the provider: read it by its id " +
	"(GET /v1/responses/{id}?stream=true&starting_after=<this event's sequence_number>)"

// readOnByID is what a client whose background stream the gateway ended
// does next.
const readOnByID = readOnFrom + " rather than sending the call again, which would start a second one"

// gatewayDeadline reports whether err, how a stream's body ended, is the
// call's own deadline rather than the provider's doing.
func gatewayDeadline(err error) bool { return errors.Is(err, context.DeadlineExceeded) }
