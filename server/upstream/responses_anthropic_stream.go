package upstream

import (
	"encoding/json"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/itemid"
)

// responsesAnthropicStream translates Anthropic's stream into the
// Responses API's: response.created and response.in_progress at
// message_start; per text run a message item (output_item.added,
// content_part.added, output_text.delta..., then output_text.done,
// content_part.done, output_item.done); per tool_use a function_call item
// (output_item.added, function_call_arguments.delta..., then
// function_call_arguments.done, output_item.done); and at message_stop
// response.completed, or response.incomplete when the answer was cut
// short, carrying every item and the usage.
//
// Adjacent text blocks make one message item, as in the non-streaming
// answer, so a text item is closed when a tool_use block starts or the
// message ends rather than at its own content_block_stop. An item is
// closed only once the next block starts or the message ends, because the
// last one's status waits on the stop_reason (lastItemStatus), which
// message_delta brings after the last content_block_stop. Thinking blocks
// are dropped and take no output_index. A refusal (stop_reason "refusal")
// ends the message Claude was writing with a "refusal" content part, or
// comes in a message of its own after a function call (withRefusal).
type responsesAnthropicStream struct {
	model    router.Model
	settings responseSettings
	resp     *responseObject
	responsesSequence
	streamUsage
	stop          string
	started, done bool
	// refusal is what the client reads of Claude's refusal
	// (refusalWords), given when message_delta says it refused.
	refusal string
	// tier is the service tier Anthropic's usage named (anthropicTier),
	// which message_start's carries.
	tier string
	// items are the output items in output_index order; blocks maps an
	// Anthropic content block index to its item; text is the open text
	// item, nil when none.
	items  []*streamItem
	blocks map[int]*streamItem
	text   *streamItem
	errMsg string
	// opening holds response.created and response.in_progress, which
	// message_start becomes, as message_start is held.
	opening heldOpening
	// keep, when set, gets the whole response before its last event goes
	// out.
	keep func(*responseObject, []byte)
}

// streamItem is an output item being streamed.
type streamItem struct {
	index  int
	id     string
	isCall bool
	callID string
	name   string
	buf    strings.Builder
	closed bool
	// refusal is Claude's refusal, a message's last content part
	// (withRefusal); refusalOnly marks the message added for it alone,
	// which has no output_text part.
	refusal     string
	refusalOnly bool
}

// item is the output item's full form; an item in progress has no text
// yet.
func (it *streamItem) item(status string) any {
	if it.isCall {
		args := it.buf.String()
		if args == "" && status == "completed" {
			args = "{}" // a call without arguments still carries an object
		}
		return &functionCallItem{ID: it.id, Type: "function_call", Status: status, Arguments: args, CallID: it.callID, Name: it.name}
	}
	content := []any{}
	if status != "in_progress" {
		if !it.refusalOnly {
			content = append(content, newOutputText(it.buf.String()))
		}
		if it.refusal != "" {
			content = append(content, newRefusalPart(it.refusal))
		}
	}
	return &messageItem{ID: it.id, Type: "message", Status: status, Role: "assistant", Content: content}
}

func newResponsesAnthropicStream(m router.Model, settings responseSettings) *responsesAnthropicStream {
	return &responsesAnthropicStream{model: m, settings: settings, blocks: map[int]*streamItem{}}
}

func (s *responsesAnthropicStream) complete() bool { return s.done }
func (s *responsesAnthropicStream) over() bool     { return claudeOver(s.done, s.errMsg) }

// failure reports Anthropic's error event, which the client does not get
// as it came: breakStream writes the Responses API's error event instead.
func (s *responsesAnthropicStream) failure() (string, bool) { return s.errMsg, false }

func (s *responsesAnthropicStream) end() []sseEvent { return endAfterStop(s, s.stop != "") }

// errorSequence is the next number: the gateway numbers this stream
// itself, so its error event follows the events before it.
func (s *responsesAnthropicStream) errorSequence() (int, bool) { return s.seq, s.seq > 0 }

// responsesSequence numbers a Responses stream's events from 0: clients
// order and resume them by sequence_number.
type responsesSequence struct {
	seq int
}

// event is one Responses stream event, named by its type (the SDKs read the
// data's type; the name is for readers of the raw stream).
func (s *responsesSequence) event(typ string, fields map[string]any) sseEvent {
	fields["type"] = typ
	fields["sequence_number"] = s.seq
	s.seq++
	data, _ := marshalPlain(fields)
	return sseEvent{name: typ, data: data}
}

func (s *responsesAnthropicStream) translate(ev sseEvent) []sseEvent {
	if s.done {
		return nil
	}
	var e anthropicEvent
	if json.Unmarshal(ev.data, &e) != nil {
		return nil
	}
	return s.opening.claude(e.Type, s.translateEvent(e))
}

// translateEvent translates one event.
func (s *responsesAnthropicStream) translateEvent(e anthropicEvent) []sseEvent {
	switch e.Type {
	case "message_start":
		s.noteTier(e.Message.Usage)
		return s.start(e.Message.Usage)
	case "content_block_start":
		switch e.ContentBlock.Type {
		case "text":
			out := s.closeCalls(s.start(nil))
			out = s.openText(out, e.Index)
			return s.textDelta(out, e.Index, e.ContentBlock.Text)
		case "tool_use":
			out := s.closeCalls(s.closeText(s.start(nil)))
			return s.openCall(out, e.Index, e.ContentBlock.ID, e.ContentBlock.Name)
		}
	case "content_block_delta":
		switch e.Delta.Type {
		case "text_delta":
			return s.textDelta(nil, e.Index, e.Delta.Text)
		case "input_json_delta":
			return s.argsDelta(e.Index, e.Delta.PartialJSON)
		}
	case "message_delta":
		s.noteTier(e.Usage)
		s.mergeFinalUsage(e.Usage)
		if e.Delta.StopReason != "" {
			s.stop = e.Delta.StopReason
		}
		if s.stop == "refusal" {
			s.refusal = refusalWords(e.Delta.StopDetails)
		}
	case "message_stop":
		return s.finish()
	case "error":
		// The stream then ends unfinished and counts as broken.
		s.errMsg = e.Error.Message
	}
	// ping, thinking blocks and their deltas add nothing, nor does
	// content_block_stop: its item is closed when the next block starts or
	// the message ends.
	return nil
}

// noteTier keeps the service tier a usage names, should it name one.
func (s *responsesAnthropicStream) noteTier(usage json.RawMessage) {
	if tier := anthropicTier(usage); tier != "" {
		s.tier = tier
	}
}

// start sends response.created and response.in_progress once, when the
// message starts (or, should message_start be missing, its first block).
func (s *responsesAnthropicStream) start(usage json.RawMessage) []sseEvent {
	if s.started {
		return nil
	}
	s.started = true
	s.mergeUsage(usage)
	s.resp = newResponseObject(newResponseID(), s.model, s.settings)
	return []sseEvent{
		s.event("response.created", map[string]any{"response": s.resp}),
		s.event("response.in_progress", map[string]any{"response": s.resp}),
	}
}

// newItem adds the next output item; its id carries the response's id, as
// in the answer not streamed.
func (s *responsesAnthropicStream) newItem(block int, isCall bool, prefix string) *streamItem {
	it := &streamItem{index: len(s.items), id: itemid.Make(prefix, s.resp.ID, len(s.items)), isCall: isCall}
	s.items = append(s.items, it)
	s.blocks[block] = it
	return it
}

// openText starts a message item for a text block, or goes on with the
// open one.
func (s *responsesAnthropicStream) openText(out []sseEvent, block int) []sseEvent {
	if s.text != nil {
		s.blocks[block] = s.text
		return out
	}
	it := s.newItem(block, false, "msg_")
	s.text = it
	return append(out,
		s.event("response.output_item.added", map[string]any{"output_index": it.index, "item": it.item("in_progress")}),
		s.event("response.content_part.added", map[string]any{
			"item_id": it.id, "output_index": it.index, "content_index": 0, "part": newOutputText(""),
		}),
	)
}

func (s *responsesAnthropicStream) textDelta(out []sseEvent, block int, text string) []sseEvent {
	it := s.blocks[block]
	if it == nil || it.isCall || it.closed || text == "" {
		return out
	}
	it.buf.WriteString(text)
	return append(out, s.event("response.output_text.delta", map[string]any{
		"item_id": it.id, "output_index": it.index, "content_index": 0, "delta": text, "logprobs": []struct{}{},
	}))
}

func (s *responsesAnthropicStream) closeText(out []sseEvent) []sseEvent {
	it := s.text
	if it == nil {
		return out
	}
	s.text, it.closed = nil, true
	text := it.buf.String()
	out = append(out,
		s.event("response.output_text.done", map[string]any{
			"item_id": it.id, "output_index": it.index, "content_index": 0, "text": text, "logprobs": []struct{}{},
		}),
		s.event("response.content_part.done", map[string]any{
			"item_id": it.id, "output_index": it.index, "content_index": 0, "part": newOutputText(text),
		}),
	)
	out = s.refusalPart(out, it, 1)
	return append(out, s.event("response.output_item.done", map[string]any{"output_index": it.index, "item": it.item(s.statusOf(it))}))
}

// refusalPart streams the item's refusal, if it has one, as its content
// part at index i: added, its text as one delta, done, as OpenAI streams
// a refusal (response.refusal.delta and response.refusal.done).
func (s *responsesAnthropicStream) refusalPart(out []sseEvent, it *streamItem, i int) []sseEvent {
	if it.refusal == "" {
		return out
	}
	at := func(fields map[string]any) map[string]any {
		fields["item_id"], fields["output_index"], fields["content_index"] = it.id, it.index, i
		return fields
	}
	return append(out,
		s.event("response.content_part.added", at(map[string]any{"part": newRefusalPart("")})),
		s.event("response.refusal.delta", at(map[string]any{"delta": it.refusal})),
		s.event("response.refusal.done", at(map[string]any{"refusal": it.refusal})),
		s.event("response.content_part.done", at(map[string]any{"part": newRefusalPart(it.refusal)})),
	)
}

// refusalMessage streams a message of its own for Claude's refusal, when
// the answer ends with a function call or has no output, as withRefusal
// adds one to the JSON answer.
func (s *responsesAnthropicStream) refusalMessage(out []sseEvent, refusal string) []sseEvent {
	it := &streamItem{index: len(s.items), id: itemid.Make("msg_", s.resp.ID, len(s.items)), refusal: refusal, refusalOnly: true, closed: true}
	s.items = append(s.items, it)
	out = append(out, s.event("response.output_item.added", map[string]any{"output_index": it.index, "item": it.item("in_progress")}))
	out = s.refusalPart(out, it, 0)
	return append(out, s.event("response.output_item.done", map[string]any{"output_index": it.index, "item": it.item(s.statusOf(it))}))
}

// statusOf is the status an item ends with: only the last Claude wrote
// can have been cut off, and then only once the stop_reason says so; a
// message added for a refusal alone ends as that item does.
func (s *responsesAnthropicStream) statusOf(it *streamItem) string {
	last := len(s.items) - 1
	if last >= 0 && s.items[last].refusalOnly {
		last--
	}
	if it.index == last || it.refusalOnly {
		return lastItemStatus(s.stop)
	}
	return "completed"
}

// closeCalls closes the function calls still open.
func (s *responsesAnthropicStream) closeCalls(out []sseEvent) []sseEvent {
	for _, it := range s.items {
		if it.isCall {
			out = s.closeCall(out, it)
		}
	}
	return out
}

func (s *responsesAnthropicStream) openCall(out []sseEvent, block int, callID, name string) []sseEvent {
	it := s.newItem(block, true, "fc_")
	it.callID, it.name = callID, name
	return append(out, s.event("response.output_item.added", map[string]any{"output_index": it.index, "item": it.item("in_progress")}))
}

func (s *responsesAnthropicStream) argsDelta(block int, partial string) []sseEvent {
	it := s.blocks[block]
	if it == nil || !it.isCall || it.closed || partial == "" {
		return nil
	}
	return []sseEvent{s.callDelta(it, partial)}
}

// callDelta adds partial to a call's arguments and is its delta event.
func (s *responsesAnthropicStream) callDelta(it *streamItem, partial string) sseEvent {
	it.buf.WriteString(partial)
	return s.event("response.function_call_arguments.delta", map[string]any{
		"item_id": it.id, "output_index": it.index, "delta": partial,
	})
}

func (s *responsesAnthropicStream) closeCall(out []sseEvent, it *streamItem) []sseEvent {
	if it.closed {
		return out
	}
	status := s.statusOf(it)
	if it.buf.Len() == 0 && status == "completed" {
		// A call without input (Claude's deltas were all empty) still
		// carries an object; it goes out as a delta too, so the deltas add
		// up to the arguments of the .done event, as clients read them.
		out = append(out, s.callDelta(it, "{}"))
	}
	it.closed = true
	done := it.item(status).(*functionCallItem)
	return append(out,
		s.event("response.function_call_arguments.done", map[string]any{
			"item_id": it.id, "output_index": it.index, "name": it.name, "arguments": done.Arguments,
		}),
		s.event("response.output_item.done", map[string]any{"output_index": it.index, "item": done}),
	)
}

// finish closes what is still open and sends the whole response.
func (s *responsesAnthropicStream) finish() []sseEvent {
	out := s.start(nil)
	if s.refusal != "" && s.text != nil {
		// The message Claude was writing ends with the refusal.
		s.text.refusal = s.refusal
	}
	out = s.closeCalls(s.closeText(out))
	if s.refusal != "" && (len(s.items) == 0 || s.items[len(s.items)-1].isCall) {
		out = s.refusalMessage(out, s.refusal)
	}
	for _, it := range s.items {
		s.resp.Output = append(s.resp.Output, it.item(s.statusOf(it)))
	}
	s.resp.finish(s.stop, s.shown(), servedTier(s.tier))
	typ := "response.completed"
	if s.resp.Status == "incomplete" {
		typ = "response.incomplete"
	}
	s.done = true
	if s.keep != nil {
		s.keep(s.resp, nil)
	}
	return append(out, s.event(typ, map[string]any{"response": s.resp}))
}
