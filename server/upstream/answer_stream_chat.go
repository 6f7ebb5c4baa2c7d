package upstream

import (
	"strconv"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// chatEvents writes a chat.completion as the chunks of its stream, each
// with the answer's id, created and model: per choice, one whose delta is
// its message (role, content and whatever else it carries: refusal,
// reasoning_content...) with its logprobs, one per tool call (given its
// index, as stream deltas are matched by it), and one with its
// finish_reason; then, when the client asked for
// stream_options.include_usage, the usage chunk with no choices; then
// [DONE].
func chatEvents(body []byte, wantUsage bool) ([]sseEvent, error) {
	top, err := scanObject(body)
	if err != nil {
		return nil, errNotAsStream
	}
	choices, err := elements(top.get("choices"))
	if err != nil {
		return nil, err
	}
	usage := top.get("usage")
	head := top.clone()
	head.del("choices")
	head.del("usage")
	head.setString("object", []byte(`"chat.completion.chunk"`))
	chunk := func(choices []byte, usage []byte) sseEvent {
		c := head.clone()
		c.setString("choices", choices)
		if usage != nil {
			c.setString("usage", usage)
		}
		return sseEvent{data: c.encode()}
	}

	var out []sseEvent
	for i, raw := range choices {
		choice, err := scanObject(raw)
		if err != nil {
			return nil, errNotAsStream
		}
		index := choice.get("index")
		if len(index) == 0 {
			index = []byte(strconv.Itoa(i))
		}
		var message object
		if raw := choice.get("message"); len(raw) > 0 && !jsonscan.IsNull(raw) {
			if message, err = scanObject(raw); err != nil {
				return nil, errNotAsStream
			}
		}
		calls, err := elements(message.get("tool_calls"))
		if err != nil {
			return nil, err
		}
		message.del("tool_calls")
		out = append(out, chunk(chatChoice(index, message.encode(), choice.get("logprobs"), nil), nil))
		for n, raw := range calls {
			call, err := scanObject(raw)
			if err != nil {
				return nil, errNotAsStream
			}
			call.setString("index", []byte(strconv.Itoa(n)))
			delta := object{}
			delta.setString("tool_calls", append(append([]byte{'['}, call.encode()...), ']'))
			out = append(out, chunk(chatChoice(index, delta.encode(), nil, nil), nil))
		}
		out = append(out, chunk(chatChoice(index, []byte("{}"), nil, orNull(choice.get("finish_reason"))), nil))
	}
	if wantUsage && len(usage) > 0 {
		out = append(out, chunk([]byte("[]"), usage))
	}
	return append(out, sseEvent{data: []byte("[DONE]")}), nil
}

// chatChoice is a chunk's choices member with one choice; finish nil is
// a chunk that does not finish it.
func chatChoice(index, delta, logprobs, finish []byte) []byte {
	c := object{}
	c.setString("index", index)
	c.setString("delta", delta)
	c.setString("logprobs", orNull(logprobs))
	c.setString("finish_reason", orNull(finish))
	return append(append([]byte{'['}, c.encode()...), ']')
}
