package upstream

import (
	"bytes"

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
// stream's text is counted once however it ends. It runs on every event
// of every stream, so it walks the event in place, allocating nothing
// but the text of a string written with escapes.
func appendStreamedText(dst []byte, data []byte) []byte {
	i := jsonscan.Space(data, 0)
	if i >= len(data) || data[i] != '{' {
		return dst
	}
	var typ []byte
	eachMember(data[i:], func(key, value []byte) {
		if string(key) == "type" {
			typ = value
		}
	})
	if typ != nil && !bytes.Equal(typ, []byte(`"content_block_delta"`)) && !bytes.HasSuffix(typ, []byte(`.delta"`)) {
		return dst
	}
	return appendTextValue(dst, data[i:], false, 0)
}

func appendTextValue(dst []byte, v []byte, text bool, depth int) []byte {
	if depth > 8 || len(v) == 0 {
		return dst
	}
	switch v[0] {
	case '"':
		if !text {
			return dst
		}
		if len(v) < 2 || v[len(v)-1] != '"' {
			return dst // cut off: no string
		}
		if inner := v[1 : len(v)-1]; bytes.IndexByte(inner, '\\') < 0 {
			return append(dst, inner...)
		}
		if s, ok := jsonscan.Unquote(v); ok {
			dst = append(dst, s...)
		}
	case '{':
		eachMember(v, func(key, value []byte) {
			if string(key) != "usage" {
				dst = appendTextValue(dst, value, streamedTextKeys[string(key)], depth+1)
			}
		})
	case '[':
		for i := jsonscan.Space(v, 1); i < len(v) && v[i] != ']'; {
			end := min(jsonscan.Value(v, i), len(v)) // past the end when v is cut
			if end == i {
				break
			}
			dst = appendTextValue(dst, v[i:end], text, depth+1)
			i = jsonscan.Space(v, end)
			if i < len(v) && v[i] == ',' {
				i = jsonscan.Space(v, i+1)
			}
		}
	}
	return dst
}

// eachMember calls fn with each member of the object that opens obj, its
// key as written between the quotes; it stops where obj stops being an
// object.
func eachMember(obj []byte, fn func(key, value []byte)) {
	i := jsonscan.Space(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		keyEnd := jsonscan.String(obj, i)
		if keyEnd >= len(obj) {
			return
		}
		key := obj[i+1 : keyEnd]
		i = jsonscan.Space(obj, keyEnd+1)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		start := jsonscan.Space(obj, i+1)
		end := min(jsonscan.Value(obj, start), len(obj))
		if end == start {
			return
		}
		fn(key, obj[start:end])
		i = jsonscan.Space(obj, end)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i = jsonscan.Space(obj, i+1)
	}
}

// streamedTokens estimates the tokens of the answer text in one event.
// Providers send about a token an event, so each event's text is counted
// on its own: at least one token when it has any.
func (f *Forwarder) streamedTokens(buf []byte, data []byte) ([]byte, int) {
	buf = appendStreamedText(buf[:0], data)
	return buf, f.textTokens(buf)
}

// answerTokens estimates the tokens of the answer text in a whole answer
// (a chat completion, a Claude message, a response object): the text a
// stream of it would have carried, for an answer whose provider reported
// no usage (Outcome.TextTokens).
func (f *Forwarder) answerTokens(answer []byte) int {
	return f.textTokens(appendTextValue(nil, answer, false, 0))
}

func (f *Forwarder) textTokens(text []byte) int {
	switch {
	case len(text) == 0:
		return 0
	case f.EstimateTokens != nil:
		return f.EstimateTokens(string(text))
	}
	return (len(text) + 3) / 4
}
