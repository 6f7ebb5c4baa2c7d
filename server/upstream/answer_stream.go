package upstream

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// Some servers and proxies ignore `stream`, and some models cannot stream:
// they answer a streaming request with one whole JSON body, which the
// client's SDK would read as a stream without events (an empty answer and
// no error). Such an answer is still the chosen model's, so it goes to the
// client as a stream in the client's API ("fake streaming", as LiteLLM
// does for models without streaming): the answer path makes the client's
// JSON answer as for a non-streaming call, translation included, and one
// writer per client API turns that JSON into the API's events
// (answer_stream_chat.go, answer_stream_messages.go,
// answer_stream_responses.go).

// writeAsStream sends body, the client's whole answer in its API without
// details, as that API's stream: the details go on its first event, as on
// a provider's stream (streamWriter). An error means nothing was written.
// ctx is the attempt's, which bounds the writes as a JSON answer's.
func (a *attempt) writeAsStream(ctx context.Context, status int, body []byte, firstByte time.Duration) error {
	var events []sseEvent
	var err error
	switch a.call.API {
	case APIResponses:
		events, err = responseEvents(body)
	case APIMessages:
		events, err = messageEvents(body)
	default:
		events, err = chatEvents(body, clientWantsUsage(a.call.Raw))
	}
	if err != nil {
		return err
	}
	sw := &streamWriter{a: a, status: status, firstByte: firstByte}
	sw.flusher, _ = a.w.(http.Flusher)
	defer a.boundWrites(ctx)()
	// As with a JSON answer, a client that went away while it was written
	// had the answer sent to it: the outcome stays the answer's.
	if sw.write(events) != nil {
		a.noteUnread()
	}
	return nil
}

// errNotAsStream is an answer whose JSON the stream writers cannot read;
// answerObject has checked its shape, so only a body of our own making
// that went wrong gets here.
var errNotAsStream = errors.New("answer could not be written as a stream")

// clone is a copy of o whose members can be changed without changing o's.
func (o object) clone() object { return object{members: slices.Clone(o.members)} }

// elements reads a JSON array's elements; absent or null is none.
func elements(raw []byte) ([][]byte, error) {
	if len(raw) == 0 || jsonscan.IsNull(raw) {
		return nil, nil
	}
	elems, ok := jsonscan.Elements(raw)
	if !ok {
		return nil, errNotAsStream
	}
	return elems, nil
}

// nonEmptyString reports whether v, a member's raw value, is a JSON string
// with something in it: a delta worth sending, passed on as it is encoded.
func nonEmptyString(v []byte) bool {
	return len(v) > 2 && v[0] == '"'
}

// orNull is v, or JSON null when v is absent.
func orNull(v []byte) []byte {
	if len(v) == 0 {
		return []byte("null")
	}
	return v
}
