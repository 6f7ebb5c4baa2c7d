package upstreamtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// sse writes server-sent events, flushing each one, and honours the
// behaviour's CutAfter, EndAfter and StallAfter event counts and its Pace.
type sse struct {
	c    *call
	sent int
	// errName and errData are the provider's in-stream error event, sent
	// for ErrorAfter.
	errName string
	errData any
	// keepAlive is the raw text of the provider's keep-alive, sent for
	// KeepAliveEvery (seq is the stream's next sequence number): an SSE
	// comment unless the provider sets its own.
	keepAlive func(seq int) string
}

func commentKeepAlive(int) string { return ": keep-alive\n\n" }

func (c *call) startSSE() *sse {
	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	c.w.WriteHeader(http.StatusOK)
	if fl, ok := c.w.(http.Flusher); ok {
		fl.Flush() // headers go out before the first event, as providers do
	}
	return &sse{c: c, keepAlive: commentKeepAlive}
}

// event writes one event (name may be empty) whose data is v encoded as
// JSON, or v itself when it is a string. It returns false when the stream
// must stop (cut, stalled until cancelled, or ended by an error event).
func (s *sse) event(name string, v any) bool {
	b := s.c.b
	if b.CutAfter != 0 && s.sent >= max(b.CutAfter, 0) {
		// Abort the answer, as when a provider's connection drops
		// mid-answer: over HTTP/1.1 the connection is closed and the
		// client sees an unexpected EOF; over HTTP/2 the stream is reset
		// (RST_STREAM) and the connection stays.
		panic(http.ErrAbortHandler)
	}
	if b.EndAfter > 0 && s.sent >= b.EndAfter {
		return false
	}
	if b.Stall && b.StallAfter > 0 && s.sent >= b.StallAfter {
		s.stall()
		return false
	}
	if s.sent > 0 && !s.c.wait(b.Pace) {
		return false
	}
	if b.ErrorAfter > 0 && s.sent >= b.ErrorAfter && s.errData != nil {
		s.write(s.errName, s.errData)
		return false
	}
	s.write(name, v)
	s.sent++
	if s.c.r.Context().Err() != nil {
		s.c.noteCancelled()
		return false
	}
	return true
}

// stall blocks until the request is cancelled, sending only keep-alives
// meanwhile when the behaviour asks for them.
func (s *sse) stall() {
	every := s.c.b.KeepAliveEvery
	if every <= 0 {
		s.c.stall()
		return
	}
	for seq := s.sent; s.c.wait(every); seq++ {
		_, _ = fmt.Fprint(s.c.w, s.keepAlive(seq))
		if fl, ok := s.c.w.(http.Flusher); ok {
			fl.Flush()
		}
	}
}

// write sends one event and flushes it.
func (s *sse) write(name string, v any) {
	data, ok := v.(string)
	if !ok {
		raw, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		data = string(raw)
	}
	eol := s.c.b.LineEnd
	if eol == "" {
		eol = "\n"
	}
	if name != "" {
		fmt.Fprintf(s.c.w, "event: %s%s", name, eol)
	}
	fmt.Fprintf(s.c.w, "data: %s%s%s", data, eol, eol)
	if fl, ok := s.c.w.(http.Flusher); ok {
		fl.Flush()
	}
}

// finish ends a streaming answer after its last event: it returns at once,
// or with HoldOpen when the request is cancelled.
func (s *sse) finish() {
	if s.c.b.HoldOpen {
		s.c.stall()
	}
}
