package upstream

import (
	"encoding/json"
	"slices"
)

// heldOpening is the events a stream sends before its answer begins, held
// back from the client: while nothing has gone out the model can still
// fail over, so a provider that stalls or fails right after them (an
// overloaded one, a stuck queue) is left for the next model rather than
// kept to the call's deadline. The translators hold them and release them
// with the answer's first event, in order.
type heldOpening struct {
	events []sseEvent
	size   int
	// passed: events went to the client (the answer began, or more came
	// before it than is held); from then on they go out as they come.
	passed bool
	// unheld: the attempt timeout ended before the answer began (a
	// reasoning model's, see passOn), so nothing more is held.
	unheld bool
}

// maxHeld and maxHeldBytes bound the events held before the answer
// begins: servers send a few (an opening, Azure's prompt filter results of
// a few KiB) or none, and neither many events nor a few of megabytes each
// may grow the gateway's memory by stream. Past either bound the held
// events go out and the rest follows as it comes, so the client still gets
// every event in order; the price is that this model can no longer fail
// over, which is fair: a provider that sent that much has taken the
// request, and the refusals failover is for (overloaded, rate limited)
// come first.
const (
	maxHeld      = 8
	maxHeldBytes = 64 << 10
)

// hold keeps out back and reports whether it did: not once events have
// gone out, nor when out would take the held events past the bounds (the
// caller then releases them, out with them).
//
// Keep-alives in out (Claude's pings, OpenAI's Responses keepalive events)
// are dropped, not held, and count toward neither bound. Counted, a
// provider that pings every few seconds while its queue is stuck would
// take the opening past the bounds within the attempt timeout, send it to
// the client and so end the failover the holding is for. Kept uncounted,
// they would grow the held memory for as long as the attempt lasts, and
// to no purpose: a held keep-alive reaches the client only with the
// answer's first event, when it no longer says anything. Once events go
// out (the answer began, or a reasoning model's opening ended the
// holding), the keep-alives the client's API has are passed on as they
// come: then they keep the client's connection, and a proxy's read
// timeout before it, alive while the model is slow. A Responses client
// may see a gap in sequence_number where a dropped keepalive was; the
// numbers stay the provider's and in order.
func (h *heldOpening) hold(out []sseEvent) bool {
	if h.passed || h.unheld {
		return false
	}
	kept := withoutKeepAlives(out)
	n := eventsSize(kept)
	if len(h.events)+len(kept) > maxHeld || h.size+n > maxHeldBytes {
		return false
	}
	h.events = append(h.events, kept...)
	h.size += n
	return true
}

// withoutKeepAlives is evs less its keep-alives; evs itself, unchanged,
// when it has none (the caller may still release it whole).
func withoutKeepAlives(evs []sseEvent) []sseEvent {
	if !slices.ContainsFunc(evs, keepAlive) {
		return evs
	}
	var kept []sseEvent
	for _, ev := range evs {
		if !keepAlive(ev) {
			kept = append(kept, ev)
		}
	}
	return kept
}

// release returns the held events followed by out, and holds nothing
// more once that is anything.
func (h *heldOpening) release(out []sseEvent) []sseEvent {
	if len(h.events) > 0 {
		out = append(h.events, out...)
		h.events, h.size = nil, 0
	}
	h.passed = h.passed || len(out) > 0
	return out
}

// passOn ends the holding and returns what was held, to go out now. A
// reasoning model's attempt timeout ends before its answer begins (at the
// headers or at its opening), since the model may then think silently for
// minutes: held past that point, the opening would leave the client, and
// any proxy before it with a read timeout, without a byte for as long, to
// no purpose but failing over an error right after it. An error before
// anything went out is still dropped, so the next model can answer.
func (h *heldOpening) passOn() []sseEvent {
	h.unheld = true
	return h.release(nil)
}

// drop forgets the held events: the provider failed or ended before its
// answer began, and the client, which never had them, gets the next
// model's stream instead.
func (h *heldOpening) drop() {
	h.events, h.size = nil, 0
}

func eventsSize(evs []sseEvent) int {
	n := 0
	for _, ev := range evs {
		n += len(ev.name) + len(ev.data)
	}
	return n
}

// responseOpening reports a Responses event that opens every stream
// before the model has written anything (response.created, .in_progress,
// .queued): a provider that fails right after them (overloaded: an error
// event, then response.failed) has sent nothing of an answer, so it is
// held like Azure's prompt filter chunk and the next model can answer.
func responseOpening(typ json.RawMessage) bool {
	switch string(typ) {
	case `"response.created"`, `"response.in_progress"`, `"response.queued"`:
		return true
	}
	return false
}

// chatOpening reports a Chat Completions chunk whose choices carry only
// the role: OpenAI opens every stream with {"role":"assistant",
// "content":""} before the model has written anything, so a provider that
// stalls or fails right after it has sent nothing of an answer. A delta
// with anything more (text, a refusal, a tool call, reasoning text) or a
// finish reason, even an empty answer's, begins the answer.
func chatOpening(choices json.RawMessage) bool {
	var cs []struct {
		Delta        map[string]json.RawMessage `json:"delta"`
		FinishReason json.RawMessage            `json:"finish_reason"`
	}
	if json.Unmarshal(choices, &cs) != nil || len(cs) == 0 {
		return false
	}
	for _, c := range cs {
		if !emptyJSON(c.FinishReason) {
			return false
		}
		for k, v := range c.Delta {
			if k != "role" && !emptyJSON(v) {
				return false
			}
		}
	}
	return true
}

// emptyJSON reports a value that says nothing: absent, null, "", [] or {}.
func emptyJSON(v json.RawMessage) bool {
	switch string(v) {
	case "", "null", `""`, "[]", "{}":
		return true
	}
	return false
}

// claude passes out, what a Claude stream's event of type typ became:
// message_start, which Claude sends before the model has written
// anything, is held until the answer begins, at its first content block
// (thinking included) or the message's end; the pings meanwhile are
// dropped (see hold). An error event before then drops what was held: the
// provider failed (overloaded) before its answer began, and the next
// model can answer.
func (h *heldOpening) claude(typ string, out []sseEvent) []sseEvent {
	switch {
	case h.passed:
		return out
	case typ == "error":
		h.drop()
		return nil
	case (typ == "message_start" || typ == "ping") && h.hold(out):
		return nil
	}
	return h.release(out)
}

// The translators that hold an opening (streamOpener).
func (s *openAIStream) passOpening() []sseEvent             { return s.held.passOn() }
func (s *anthropicStream) passOpening() []sseEvent          { return s.opening.passOn() }
func (s *messagesPassStream) passOpening() []sseEvent       { return s.opening.passOn() }
func (s *chatMessagesStream) passOpening() []sseEvent       { return s.opening.passOn() }
func (s *responsesAnthropicStream) passOpening() []sseEvent { return s.opening.passOn() }
