package upstream

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// A stream has no overall deadline once its first event has gone to the
// client: a long answer (16k tokens at 50 a second is over five minutes)
// must not be cut while it keeps coming. Its silences are bounded
// instead, by StreamIdle: a provider that sends nothing for that long is
// stalled (or its model thinks longer than the gateway allows), and a
// client that stops reading stops the gateway's reads too, so it is cut
// as well (see boundWrites). A relayed stream (a background answer read
// by its id) is bounded so from its headers on.

func (f *Forwarder) streamIdle() time.Duration {
	if f.StreamIdle > 0 {
		return f.StreamIdle
	}
	return DefaultStreamIdle
}

// idleBody is a stream's body that ends its request when nothing arrives
// for limit once armed. Any byte counts, keepalive comments and pings too:
// the provider is still there. Read and arm are called from the one
// goroutine that reads the stream.
type idleBody struct {
	io.ReadCloser
	limit  time.Duration
	cancel context.CancelFunc
	timer  *time.Timer
	fired  atomic.Bool
}

// watchIdle wraps body; the limit runs from arm on.
func (a *attempt) watchIdle(body io.ReadCloser) *idleBody {
	return &idleBody{ReadCloser: body, limit: a.f.streamIdle(), cancel: a.cancel}
}

// arm starts the limit; an armed body is left as it is.
func (b *idleBody) arm() {
	if b == nil || b.timer != nil {
		return
	}
	b.timer = time.AfterFunc(b.limit, func() {
		b.fired.Store(true)
		b.cancel()
	})
}

// stop ends the watch once the stream is done.
func (b *idleBody) stop() {
	if b != nil && b.timer != nil {
		b.timer.Stop()
	}
}

// cut reports whether the limit ran out and ended the request.
func (b *idleBody) cut() bool { return b != nil && b.fired.Load() }

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && b.timer != nil {
		b.timer.Reset(b.limit)
	}
	if err != nil && b.fired.Load() {
		err = fmt.Errorf("nothing for %s", b.limit)
	}
	return n, err
}
