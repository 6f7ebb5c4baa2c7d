package upstream

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// messagesPassStream passes an Anthropic provider's stream to a Messages
// client as it came, with message_start's `model` naming our model and
// usage read on the side; message_start and its pings wait for the
// answer's first content block (heldOpening.claude).
type messagesPassStream struct {
	model json.RawMessage
	streamUsage
	// stopped: message_delta brought the stop reason (endAfterStop).
	started, stopped, done bool
	// errMsg is the provider's error event; relayed says it went out.
	errMsg  string
	relayed bool
	opening heldOpening
}

func newMessagesPassStream(m router.Model) *messagesPassStream {
	model, _ := json.Marshal(modelID(m))
	return &messagesPassStream{model: model}
}

func (s *messagesPassStream) complete() bool { return s.done }

// over: Claude's error event is its stream's last (claudeOver).
func (s *messagesPassStream) over() bool { return claudeOver(s.done, s.errMsg) }

// claudeOver reports whether a Claude stream has sent its last event: its
// message_stop, or an error event, after which Claude ends the stream.
// The copy loop stops reading there, so a provider that keeps its
// connection open after the error holds neither the failover nor the
// client's stream.
func claudeOver(done bool, errMsg string) bool { return done || errMsg != "" }

// endAfterStop ends a Claude stream whose body ended after message_delta
// brought the stop reason (stopped) but before message_stop: the answer
// is whole (message_delta follows the last content block, and no other
// can follow the end of the body), so the client's stream ends as
// message_stop ends it. A body that ends before the stop reason is a
// broken stream (end returns nothing). A provider that keeps its
// connection open without message_stop is still read until the stream's
// silence limit, whose end is then this one: Anthropic documents one or
// more message_delta events before message_stop, so the first is not
// known to be the last.
func endAfterStop(tr streamTranslator, stopped bool) []sseEvent {
	if !stopped {
		return nil
	}
	return tr.translate(sseEvent{name: "message_stop", data: []byte(`{"type":"message_stop"}`)})
}

func (s *messagesPassStream) end() []sseEvent { return endAfterStop(s, s.stopped) }

func (s *messagesPassStream) failure() (string, bool) { return s.errMsg, s.relayed }

func (s *messagesPassStream) translate(ev sseEvent) []sseEvent {
	var e struct {
		Type    string `json:"type"`
		Message struct {
			Usage json.RawMessage `json:"usage"`
		} `json:"message"`
		Delta struct {
			StopReason string `json:"stop_reason"`
		} `json:"delta"`
		Usage json.RawMessage `json:"usage"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(ev.data, &e) != nil {
		if !s.started {
			return nil
		}
		return s.opening.release([]sseEvent{ev})
	}
	if !s.started && e.Type != "message_start" {
		// Nothing before message_start is part of an answer: a ping
		// passed on would leave the call no failover when an
		// overloaded_error follows, and that error is dropped (the
		// stream ends unanswered) so the next model can answer.
		if e.Type == "error" {
			s.errMsg = e.Error.Message
		}
		return nil
	}
	switch e.Type {
	case "message_start":
		s.started = true
		s.mergeUsage(e.Message.Usage)
		ev.data = s.renameModel(ev.data)
	case "message_delta":
		s.mergeFinalUsage(e.Usage)
		s.stopped = s.stopped || e.Delta.StopReason != ""
	case "message_stop":
		s.done = true
	case "error":
		s.errMsg = e.Error.Message
	}
	out := s.opening.claude(e.Type, []sseEvent{ev})
	// The provider's own error (overloaded_error and the like), once its
	// answer began, tells the client more than the one we would write
	// when the stream ends; before, it is dropped with what was held.
	s.relayed = s.relayed || e.Type == "error" && len(out) > 0
	return out
}

// renameModel sets message.model in a message_start event.
func (s *messagesPassStream) renameModel(data []byte) []byte {
	obj, err := scanObject(data)
	if err != nil {
		return data
	}
	msg, err := scanObject(obj.get("message"))
	if err != nil {
		return data
	}
	msg.setString("model", s.model)
	obj.setString("message", msg.encode())
	return obj.encode()
}

// chatChunk is the part of a chat.completion.chunk the translation reads.
type chatChunk struct {
	ID      string `json:"id"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   chatContent     `json:"content"`
			Refusal   string          `json:"refusal"`
			ToolCalls []chatToolDelta `json:"tool_calls"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
		namedStop
	} `json:"choices"`
	Usage       json.RawMessage `json:"usage"`
	ServiceTier json.RawMessage `json:"service_tier"`
	// Error is what some OpenAI-compatible servers send mid-stream instead
	// of chunks when generation fails (TGI's a bare string).
	Error *errorMember `json:"error"`
}

type chatToolDelta struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// chatMessagesStream translates an OpenAI-compatible provider's
// chat.completion.chunk events into Anthropic's stream: message_start,
// a content block per text run or tool call (content_block_start, deltas,
// content_block_stop), then message_delta and message_stop.
//
// The ending waits for usage: with include_usage (always asked for) the
// usage chunk follows the one with finish_reason, and message_delta is
// the only place to report output tokens. It goes out at the first of
// [DONE], usage after finish_reason, or the end of the body after
// finish_reason and usage (end), for servers that send no [DONE]. A body
// that ends after finish_reason with neither was cut (usageOwed), as a
// Chat Completions client's stream that asked for usage is.
type chatMessagesStream struct {
	model string
	streamUsage
	started, finished, ended bool
	// unanswered: [DONE] came before any chunk with a choice, so the
	// stream is over with nothing to translate (no message to make up).
	unanswered bool
	stop       string
	// next is the index of the next content block; text the open text
	// block (-1 for none); openTools the tool call blocks, which stay open
	// to the end: servers may interleave the argument fragments of
	// parallel calls, and a fragment sent to a block already stopped is
	// lost (the SDKs' accumulators reset a stopped block's unfinished
	// input). held is whitespace not yet sent: a text block of whitespace
	// alone ("\n\n" before tool calls) is refused by Anthropic when the
	// client sends the turn back.
	next, text int
	openTools  []int
	held       string
	// tools maps an OpenAI tool call index to its content block and
	// toolIDs to that call's id; pending holds the argument fragments of
	// calls not yet named (a block cannot start without its name), and
	// args each open tool block's arguments (inputDelta).
	tools    map[int]int
	toolIDs  map[int]string
	pending  map[int]*pendingCall
	args     map[int]*jsonscan.ObjectPrefix
	sawTools bool
	// refused: the model sent refusal deltas (refusalStop).
	refused bool
	// request is the client's Messages body, and sequence the stop
	// sequence of it the server says the answer stopped at (namedStop).
	request  []byte
	sequence string
	errMsg   string
	// opening holds message_start while the chunks carry only the role,
	// so the model can still fail over (see chatOpening).
	opening heldOpening
}

// pendingCall is a tool call seen before its name.
type pendingCall struct {
	id, args string
}

func newChatMessagesStream(m router.Model) *chatMessagesStream {
	return &chatMessagesStream{model: modelID(m), text: -1, tools: map[int]int{}, toolIDs: map[int]string{}, pending: map[int]*pendingCall{}, args: map[int]*jsonscan.ObjectPrefix{}}
}

// complete: the provider sent the finish reason (or [DONE]), so a client
// that leaves before the usage chunk, and with it message_delta and
// message_stop, has had the whole answer; over: those closing events went
// out, or the provider failed: nothing of an answer follows its error
// chunk, and waiting for more would hold the call on a server that keeps
// its connection open.
func (s *chatMessagesStream) complete() bool { return s.ended || s.finished && s.errMsg == "" }
func (s *chatMessagesStream) over() bool     { return s.ended || s.unanswered || s.errMsg != "" }

func (s *chatMessagesStream) failure() (string, bool) { return s.errMsg, false }

// end finishes a stream whose body ended after finish_reason and its
// usage but before [DONE]: such an answer is whole. One whose usage did
// not come either is left to the copy loop, which ends it as cut.
func (s *chatMessagesStream) end() []sseEvent {
	if !s.finished || s.ended || s.usageOwed() {
		return nil
	}
	return s.finish(nil)
}

// usageOwed reports a stream whose answer is whole (finish_reason came)
// whose body ended before both the usage the gateway asked for and
// [DONE], either of which would have ended it: the stream was cut after
// the finish reason, as openAIStream.usageOwed tells for a Chat
// Completions client.
func (s *chatMessagesStream) usageOwed() bool {
	return s.finished && !s.ended && !s.hasUsage && s.errMsg == ""
}

func (s *chatMessagesStream) translate(ev sseEvent) []sseEvent {
	if s.ended {
		return nil
	}
	if string(ev.data) == "[DONE]" {
		if s.errMsg != "" {
			// Some servers end a failed generation with an error chunk
			// and then [DONE]: the answer is not whole.
			return nil
		}
		if !s.opening.passed {
			// No answer began (no chunk with a choice, or only the
			// role): an empty end_turn message would be one the gateway
			// made up; the next model can answer instead.
			s.opening.drop()
			s.unanswered = true
			return nil
		}
		return s.finish(s.start(nil, ""))
	}
	var c chatChunk
	if json.Unmarshal(ev.data, &c) != nil {
		return nil
	}
	out := s.chunk(c)
	if c.Error != nil && !s.opening.passed {
		// The provider failed before its answer began (OpenRouter's
		// error chunk carries a choice, finish_reason "error"): what was
		// held is dropped with it, so the next model can answer.
		s.opening.drop()
		return nil
	}
	// Before the answer, chunks with no choice or only the role keep
	// message_start back with them.
	if !s.opening.passed && (len(c.Choices) == 0 || s.opens(ev.data)) && s.opening.hold(out) {
		return nil
	}
	return s.opening.release(out)
}

// opens reports a chunk that carries only the role (chatOpening).
func (s *chatMessagesStream) opens(data []byte) bool {
	var c struct {
		Choices json.RawMessage `json:"choices"`
	}
	return json.Unmarshal(data, &c) == nil && chatOpening(c.Choices)
}

// chunk translates one chunk.
func (s *chatMessagesStream) chunk(c chatChunk) []sseEvent {
	if c.Error != nil {
		// The stream then ends unfinished and counts as broken.
		s.errMsg = c.Error.Message
		return nil
	}
	u, hasUsage := parseUsage(c.Usage)
	if hasUsage {
		s.u, s.hasUsage = withTier(u, c.ServiceTier), true
	}
	var out []sseEvent
	if len(c.Choices) > 0 {
		// A chunk with no choice before the answer (Azure's prompt
		// filter results, usage) begins nothing.
		out = s.start(out, c.ID)
	}
	for _, ch := range c.Choices {
		if ch.Index != 0 {
			continue // only one choice is asked for
		}
		s.refused = s.refused || ch.Delta.Refusal != ""
		if text := ch.Delta.Content.Text + ch.Delta.Refusal; text != "" {
			out = s.addText(out, text)
		}
		for _, tc := range ch.Delta.ToolCalls {
			out = s.toolCall(out, tc)
		}
		if f := ch.FinishReason; f != nil && *f != "" {
			s.finished, s.stop = true, stopReason(*f)
		}
		if seq := ch.sequence(s.request); seq != "" {
			s.sequence = seq
		}
	}
	// The usage-only chunk (no choices) after the finish is the last
	// one; servers that put usage on every chunk end at [DONE] or at
	// the end of the body, so the final count is the one reported.
	if s.finished && hasUsage && len(c.Choices) == 0 {
		out = s.finish(out)
	}
	return out
}

// messagesEvent is one Anthropic stream event, named by its type as Anthropic
// names them (the SDKs read the name, not the data's type).
func messagesEvent(typ string, fields map[string]any) sseEvent {
	fields["type"] = typ
	data, _ := marshalPlain(fields)
	return sseEvent{name: typ, data: data}
}

func (s *chatMessagesStream) start(out []sseEvent, upstreamID string) []sseEvent {
	if s.started {
		return out
	}
	s.started = true
	// Anthropic counts the prompt in message_start, and some clients
	// (LangChain's ChatAnthropic) read it only there: a 0 would report an
	// empty prompt. Chat Completions counts it at the end, so until then
	// the gateway's estimate stands in; message_delta brings the count.
	input := toMessageUsage(s.shown()).InputTokens
	return append(out, messagesEvent("message_start", map[string]any{"message": map[string]any{
		"id": messageID(upstreamID), "type": "message", "role": "assistant", "model": s.model,
		"content": []any{}, "stop_reason": nil, "stop_sequence": nil,
		"usage": map[string]int{"input_tokens": input, "output_tokens": 0},
	}}))
}

func (s *chatMessagesStream) addText(out []sseEvent, text string) []sseEvent {
	if s.text < 0 {
		if strings.TrimSpace(s.held+text) == "" {
			s.held += text
			return out
		}
		text, s.held = s.held+text, ""
		s.text = s.next
		s.next++
		out = append(out, messagesEvent("content_block_start", map[string]any{
			"index": s.text, "content_block": map[string]any{"type": "text", "text": ""},
		}))
	}
	return append(out, messagesEvent("content_block_delta", map[string]any{
		"index": s.text, "delta": map[string]any{"type": "text_delta", "text": text},
	}))
}

func (s *chatMessagesStream) toolCall(out []sseEvent, tc chatToolDelta) []sseEvent {
	block, known := s.tools[tc.Index]
	if known && tc.ID != "" && tc.ID != s.toolIDs[tc.Index] {
		// A new id at a known index is a new call: servers that leave
		// out `index` put every call at 0. Its later fragments belong to
		// it, not to the call before.
		delete(s.tools, tc.Index)
		known = false
	}
	if !known && tc.Function.Name == "" {
		// Not named yet: keep the fragment until the name comes. A call
		// never named cannot be run, and Anthropic refuses a tool_use
		// without a name when the client sends it back: it is dropped.
		p := s.pending[tc.Index]
		if p == nil {
			p = &pendingCall{}
			s.pending[tc.Index] = p
		}
		if tc.ID != "" {
			p.id = tc.ID
		}
		p.args += tc.Function.Arguments
		return out
	}
	if p := s.pending[tc.Index]; p != nil && !known {
		delete(s.pending, tc.Index)
		if tc.ID == "" {
			tc.ID = p.id
		}
		tc.Function.Arguments = p.args + tc.Function.Arguments
	}
	if !known {
		s.sawTools = true
		s.toolIDs[tc.Index] = tc.ID
		out = s.closeText(out)
		block = s.next
		s.next++
		s.tools[tc.Index] = block
		s.openTools = append(s.openTools, block)
		s.args[block] = &jsonscan.ObjectPrefix{}
		out = append(out, messagesEvent("content_block_start", map[string]any{
			"index": block, "content_block": map[string]any{
				"type": "tool_use", "id": toolUseID(tc.ID), "name": tc.Function.Name, "input": map[string]any{},
			},
		}))
	}
	// A fragment may come after another call's: it goes to its own
	// call's block, still open, as far as it keeps the block's input one
	// object (inputDelta).
	return s.inputFragment(out, block, s.args[block].Write(tc.Function.Arguments))
}

// inputDelta ends a tool block's input when the block stops. Models do
// write broken JSON now and then (a brace too many, two objects run
// together, cut short), and an Anthropic client parses the fragments it
// got as one object when the block stops: the TypeScript SDK fails the
// stream on ones that are not (Anthropic's own fragments always make up
// one object). So a call's fragments go on only as far as they can still
// end as one object (jsonscan.ObjectPrefix), and this adds the closers
// that end it. Arguments broken before any went out (not an object at
// all) leave the block's input content_block_start's {}, as the JSON
// answer has it (toolInput).
func (s *chatMessagesStream) inputDelta(out []sseEvent, block int) []sseEvent {
	closers := s.args[block].Closers()
	delete(s.args, block)
	return s.inputFragment(out, block, closers)
}

// inputFragment sends part of a tool block's input, if there is any.
func (s *chatMessagesStream) inputFragment(out []sseEvent, block int, input string) []sseEvent {
	if input == "" {
		return out
	}
	return append(out, messagesEvent("content_block_delta", map[string]any{
		"index": block, "delta": map[string]any{"type": "input_json_delta", "partial_json": input},
	}))
}

// closeText stops the text block, if one is open; whitespace held back
// before it is dropped (text after it opens a new block).
func (s *chatMessagesStream) closeText(out []sseEvent) []sseEvent {
	s.held = ""
	if s.text < 0 {
		return out
	}
	out = append(out, messagesEvent("content_block_stop", map[string]any{"index": s.text}))
	s.text = -1
	return out
}

// closeAll stops every open block, in index order.
func (s *chatMessagesStream) closeAll(out []sseEvent) []sseEvent {
	open := s.openTools
	if s.text >= 0 {
		open = append(open, s.text)
	}
	slices.Sort(open)
	for _, i := range open {
		if i != s.text {
			out = s.inputDelta(out, i)
		}
		out = append(out, messagesEvent("content_block_stop", map[string]any{"index": i}))
	}
	s.text, s.openTools, s.held = -1, nil, ""
	return out
}

// finish closes the open blocks and sends the stop reason and usage.
func (s *chatMessagesStream) finish(out []sseEvent) []sseEvent {
	out = s.closeAll(out)
	stop := s.stop
	if stop == "" {
		stop = "end_turn"
	}
	stop, sequence := sequenceStop(toolStopReason(refusalStop(stop, s.refused), s.sawTools), s.sequence)
	// A provider that sent no usage leaves the output count to the
	// gateway's estimate (shown), as the log bills it.
	u := toMessageUsage(s.shown())
	usage := map[string]any{"output_tokens": u.OutputTokens}
	if d := u.OutputTokensDetails; d != nil {
		usage["output_tokens_details"] = d
	}
	if s.hasUsage {
		// message_start went out before the usage came: these are the
		// input counts' only chance to reach the client.
		usage["input_tokens"] = u.InputTokens
		usage["cache_read_input_tokens"] = u.CacheReadInputTokens
		usage["cache_creation_input_tokens"] = u.CacheCreationInputTokens
	}
	out = append(out,
		messagesEvent("message_delta", map[string]any{
			"delta": map[string]any{"stop_reason": stop, "stop_sequence": sequence}, "usage": usage,
		}),
		messagesEvent("message_stop", map[string]any{}),
	)
	s.ended = true
	return out
}
