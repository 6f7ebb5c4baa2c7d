package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// answerWait is the attempt timeout: it cancels an attempt whose provider
// has not begun to answer within it, so the next model can. Headers are
// not enough: a streaming server sends them before its first token, so a
// stuck queue sends 200 headers and then nothing, and neither are the
// events the gateway holds before an answer begins (a Responses stream's
// response.created, a Chat stream's chunk with only the role, Claude's
// message_start, all sent before the model has done anything). The wait
// ends when a stream's first event goes to the client, the point past
// which the call cannot fail over, or once a JSON answer or an error's
// body is read; from then on only the call's deadline (a stream's silence
// limit once its first event went out, see [Forwarder.StreamIdle]) bounds
// the attempt. A reasoning model's stream, silent while the model reasons,
// ends it sooner (see forward and stream).
//
// A new answer asked for as JSON starts the wait at its response headers,
// not at sending: a provider sends those only once the whole answer is
// written (OpenAI's openai-processing-ms header times the generation), so
// the wait for them measures the answer's length, not a stall, and a long
// healthy answer (a reasoning model at high effort, 16k tokens) would be
// failed over, and billed twice. Only the call's deadline bounds it; once
// the headers came, the body must follow within the wait.
type answerWait struct {
	limit  time.Duration
	cancel func()
	timer  *time.Timer

	mu             sync.Mutex
	stopped, fired bool
}

// newWait makes a wait that cancel ends once started and run out.
func newWait(limit time.Duration, cancel func()) *answerWait {
	return &answerWait{limit: limit, cancel: cancel}
}

// start sets the wait running; a stopped or running wait is left as it is.
func (w *answerWait) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped || w.timer != nil {
		return
	}
	w.timer = time.AfterFunc(w.limit, func() {
		w.mu.Lock()
		if w.stopped {
			w.mu.Unlock()
			return
		}
		w.fired = true
		w.mu.Unlock()
		w.cancel()
	})
}

// stop ends the wait: the provider has begun to answer. It reports false
// when the wait had already run out and cancelled the attempt.
func (w *answerWait) stop() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.stopped = true
	return !w.fired
}

// ended reports whether the wait was stopped before it ran out: the
// attempt goes on, bounded by the call's deadline alone. One that ran out
// is not ended but expired, and its attempt fails.
func (w *answerWait) ended() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped && !w.fired
}

// expired reports whether the wait ran out and cancelled the attempt.
func (w *answerWait) expired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fired
}

// err is the failed attempt's error: missing is what did not come in time.
// It is retryable and leaves the call's context alive, so the next model
// is tried and Health counts it, as for a provider that sends no headers.
func (w *answerWait) err(missing string) *retryable {
	return &retryable{msg: fmt.Sprintf("timeout: no %s within %s", missing, w.limit)}
}

// keepAlive reports whether ev is a ping (Anthropic's `event: ping`, or a
// {"type":"ping"} event) or OpenAI's Responses keepalive event
// ({"type":"keepalive","sequence_number":N}, sent while a model thinks):
// it says the connection is open, not that an answer has begun nor that
// it moves. SSE comments never reach here (sseReader drops them). It runs
// for every event of a stream, so an event longer than any keep-alive is
// judged by its length alone, unread.
func keepAlive(ev sseEvent) bool {
	switch ev.name {
	case "ping", "keepalive":
		return true
	}
	if len(ev.data) > maxKeepAliveBytes || !bytes.Contains(ev.data, []byte(`ping`)) && !bytes.Contains(ev.data, []byte(`keepalive`)) {
		return false
	}
	var v struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(ev.data, &v) == nil && (v.Type == "ping" || v.Type == "keepalive")
}

// maxKeepAliveBytes bounds a keep-alive event's data: {"type": "keepalive",
// "sequence_number": N} with room for spacing; a longer event carries
// something else.
const maxKeepAliveBytes = 96

// headersOverdue reports whether the call's own deadline (not its client,
// not a shutdown) ended an attempt still waiting for its response headers
// after at least the attempt timeout. A new answer asked for as JSON waits
// so without failing over (its headers come with the whole answer), but a
// provider that sent none for that long has stalled as surely as a stream
// that sends none in the attempt timeout: it counts against the model's
// health, or JSON traffic alone would keep sending calls to a stalled
// model for their whole deadline. A deadline that left the attempt less
// than the attempt timeout says nothing about the provider.
func (a *attempt) headersOverdue(ctx context.Context, sentAt time.Time) bool {
	return a.clientCtx.Err() == nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded) &&
		time.Since(sentAt) >= a.f.attemptTimeout()
}
