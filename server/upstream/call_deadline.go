package upstream

import (
	"context"
	"time"
)

// callDeadline is a call's overall time limit (Forwarder.Deadline). It
// bounds every attempt and failover until the answer begins to reach the
// client, and a JSON answer whole; a stream lifts it once its first event
// has gone out, after which its silences are bounded instead (StreamIdle),
// so an answer that keeps coming is not cut. A context deadline could not
// be lifted, so the limit is a timer that cancels the call's context with
// context.DeadlineExceeded as its cause (what the HTTP client reports).
type callDeadline struct {
	timer *time.Timer
}

// withDeadline returns the call's context, its cancel func and its
// deadline, running from now.
func withDeadline(parent context.Context, limit time.Duration) (context.Context, context.CancelFunc, *callDeadline) {
	ctx, cancel := context.WithCancelCause(parent)
	d := &callDeadline{timer: time.AfterFunc(limit, func() { cancel(context.DeadlineExceeded) })}
	return ctx, func() {
		d.timer.Stop()
		cancel(nil)
	}, d
}

// lift removes the limit from a call whose stream has begun. A nil
// deadline (a relayed stream has none) is nothing to lift.
func (d *callDeadline) lift() {
	if d != nil {
		d.timer.Stop()
	}
}
