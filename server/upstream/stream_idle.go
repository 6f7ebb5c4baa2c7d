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
// instead, by StreamIdle: a provider that sends nothing of an answer for
// that long is stalled (or its model thinks longer than the gateway
// allows), and a client that stops reading stops the gateway's reads too,
// so it is cut as well (see boundWrites). A relayed stream (a background
// answer read by its id) is bounded so from its headers on.
//
// Keep-alives (SSE comments such as `: keep-alive`, Anthropic's ping
// events, OpenAI's Responses keepalive events) do not end a silence: they say the connection is open, not that
// the answer moves, and a provider stuck behind them would otherwise hold
// the stream, and its client, for ever.

func (f *Forwarder) streamIdle() time.Duration {
	if f.StreamIdle > 0 {
		return f.StreamIdle
	}
	return DefaultStreamIdle
}

// idleBody is a stream's body that ends its request when nothing arrives
// for limit once armed. Read and arm, progress and byEvents are called from
// the one goroutine that reads the stream.
type idleBody struct {
	io.ReadCloser
	limit  time.Duration
	cancel context.CancelFunc
	timer  *time.Timer
	fired  atomic.Bool
	// events: only progress, called for each event that carries more
	// than a keep-alive, restarts the limit (a stream read event by
	// event); otherwise any byte read does (a body read whole).
	events bool
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

// byEvents makes only progress restart the limit, not the bytes read:
// the reader tells an answer's events from keep-alives (see keepAlive).
func (b *idleBody) byEvents() {
	if b != nil {
		b.events = true
	}
}

// progress restarts an armed limit: an event with more than a keep-alive
// came.
func (b *idleBody) progress() {
	if b != nil && b.timer != nil {
		b.timer.Reset(b.limit)
	}
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
	if n > 0 && !b.events && b.timer != nil {
		b.timer.Reset(b.limit)
	}
	if err != nil && b.fired.Load() {
		err = fmt.Errorf("nothing for %s", b.limit)
	}
	return n, err
}
