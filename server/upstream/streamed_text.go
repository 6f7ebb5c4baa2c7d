package upstream

import (
	"strings"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// streamedTextKeys are the members whose strings are answer text the
// provider generated, in the events that carry it piece by piece: Chat
// Completions deltas (content, its parts' text and thinking, refusal,
// reasoning, tool call arguments), Responses' *.delta events (delta) and
// Anthropic's content_block_delta (text, thinking, partial_json).
var streamedTextKeys = map[string]bool{
	"content": true, "text": true, "thinking": true, "refusal": true,
	"reasoning": true, "reasoning_content": true, "arguments": true,
	"partial_json": true, "delta": true,
}

// appendStreamedText appends to dst the answer text one provider event
// carries. Events that repeat text already sent (Responses' *.done and
// response.completed, Anthropic's message_start) carry none: only a
// chunk (no type) or an event whose type is a delta counts, so a
// stream's text is counted once however it ends.
func appendStreamedText(dst []byte, data []byte) []byte {
	obj, ok := jsonscan.ParseObject(data)
	if !ok {
		return dst
	}
	if t := obj.Get("type"); t != nil {
		typ, _ := jsonscan.Unquote(t)
		if typ != "content_block_delta" && !strings.HasSuffix(typ, ".delta") {
			return dst
		}
	}
	return appendTextMembers(dst, obj, 0)
}

// appendTextMembers walks an object's members, appending the strings of
// streamedTextKeys and descending into objects and arrays (choices,
// delta, content parts, tool_calls, function).
func appendTextMembers(dst []byte, obj jsonscan.Object, depth int) []byte {
	if depth > 8 {
		return dst
	}
	for _, m := range obj {
		key := string(m.Key)
		if key == "usage" {
			continue
		}
		dst = appendTextValue(dst, m.Value, streamedTextKeys[key], depth)
	}
	return dst
}

func appendTextValue(dst []byte, v []byte, text bool, depth int) []byte {
	v = v[jsonscan.Space(v, 0):]
	if len(v) == 0 {
		return dst
	}
	switch v[0] {
	case '"':
		if text {
			if s, ok := jsonscan.Unquote(v); ok {
				dst = append(dst, s...)
			}
		}
	case '{':
		if o, ok := jsonscan.ParseObject(v); ok {
			dst = appendTextMembers(dst, o, depth+1)
		}
	case '[':
		if elems, ok := jsonscan.Elements(v); ok {
			for _, e := range elems {
				dst = appendTextValue(dst, e, text, depth+1)
			}
		}
	}
	return dst
}

// streamedTokens estimates the tokens of the answer text in one event.
// Providers send about a token an event, so each event's text is counted
// on its own: at least one token when it has any.
func (f *Forwarder) streamedTokens(buf []byte, data []byte) ([]byte, int) {
	buf = appendStreamedText(buf[:0], data)
	if len(buf) == 0 {
		return buf, 0
	}
	if f.EstimateTokens != nil {
		return buf, f.EstimateTokens(string(buf))
	}
	return buf, (len(buf) + 3) / 4
}
