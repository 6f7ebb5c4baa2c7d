package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// A Messages call passes the client's anthropic-beta and anthropic-version
// on to Claude as they came (upstream.Call's Beta and Version), bounded
// until here only by the server's 1 MB for all headers. A provider refuses
// headers that large with a 431, or closes the connection while the
// gateway still writes them: a connection error that counts against the
// model's health (--unhealthy-after), so one client's headers could have
// a Claude model tried last for every client. The gateway refuses such a
// call itself, before routing. (traceparent and tracestate, the only other
// headers that go on, are bounded where they are read: trace_context.go.)

// maxPassedHeaderBytes bounds the values of one passed-on header, all its
// lines together. An anthropic-beta list names a few betas of some 20 to
// 40 characters each (prompt-caching-2024-07-31); 4 KiB leaves room for
// a hundred, and keeps the provider request's headers well inside the
// 8 KiB a line that nginx takes by default and the 16 KiB of all headers
// that Node.js takes, which an Anthropic-compatible server of one's own
// may run on or behind.
const maxPassedHeaderBytes = 4 << 10

// maxPassedHeaderLines bounds the lines of one passed-on header: each goes
// on as a line of its own, and a client sends its betas in one line, or
// one beta a line at most.
const maxPassedHeaderLines = 32

// passedHeaders are the client's headers a Messages call passes on, in
// canonical form.
var passedHeaders = []string{"Anthropic-Beta", "Anthropic-Version"}

// checkPassedHeaders refuses a call of api whose headers that go on to a
// provider are over maxPassedHeaderLines lines or maxPassedHeaderBytes
// bytes, naming the header. A header's form is the provider's to judge:
// Claude answers an anthropic-version or beta it does not know with its
// own 400, which reaches the client as it came and does not count against
// the model's health, and a Messages call that goes to another provider
// does not send them at all, so the gateway does not refuse a value for
// its form alone.
func checkPassedHeaders(api openai.API, h http.Header) error {
	if api != openai.Messages {
		return nil
	}
	for _, key := range passedHeaders {
		lines := h[key] // canonical key: no allocation for a call without it
		name := strings.ToLower(key)
		if len(lines) > maxPassedHeaderLines {
			return &router.Error{Code: router.EInvalid, Param: name, Message: fmt.Sprintf(
				"the %s header comes in %d lines; at most %d go on to the provider (send its values comma-separated in one line)",
				name, len(lines), maxPassedHeaderLines)}
		}
		size := 0
		for _, v := range lines {
			size += len(v)
		}
		if size > maxPassedHeaderBytes {
			return &router.Error{Code: router.EInvalid, Param: name, Message: fmt.Sprintf(
				"the %s header is %d bytes; at most %d go on to the provider", name, size, maxPassedHeaderBytes)}
		}
	}
	return nil
}
