package upstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// Mistral's reasoning models (Magistral, and its other models with
// reasoning_effort) answer Chat Completions with content as a list of
// parts where OpenAI's shape has a string: {"type": "thinking",
// "thinking": [{"type": "text", "text": ...}]} before {"type": "text",
// "text": ...}, and stream deltas whose content is such a list. The text
// parts are the answer; the thinking is its reasoning, which no client
// may take for answer text.

// chatContent is a Chat Completions message's or delta's content as the
// translations read it: a string is the text, a list of parts its text
// parts' text and its thinking parts' reasoning (contentParts).
type chatContent struct {
	Text, Reasoning string
}

var errContentParts = errors.New("content is neither a string nor a list of parts")

func (c *chatContent) UnmarshalJSON(raw []byte) error {
	*c = chatContent{}
	switch {
	case jsonscan.IsNull(raw):
		return nil
	case raw[0] == '[':
		var ok bool
		if c.Text, c.Reasoning, ok = contentParts(raw); !ok {
			return errContentParts
		}
		return nil
	}
	return json.Unmarshal(raw, &c.Text)
}

// contentParts reads a content given as a list of parts: the text of its
// text parts, and of its thinking parts (a list of text chunks, or a
// string), each joined as they come, as fragments of one text. Other
// parts (Mistral's references) carry no text of the answer. ok is false
// for a value that is not such a list.
func contentParts(raw []byte) (text, reasoning string, ok bool) {
	parts, ok := jsonscan.Elements(raw)
	if !ok {
		return "", "", false
	}
	var t, r strings.Builder
	for _, p := range parts {
		obj, ok := jsonscan.ParseObject(p)
		if !ok {
			continue
		}
		typ, _ := jsonscan.Unquote(obj.Get("type"))
		switch typ {
		case "text":
			s, _ := jsonscan.Unquote(obj.Get("text"))
			t.WriteString(s)
		case "thinking":
			r.WriteString(thinkingText(obj.Get("thinking")))
		}
	}
	return t.String(), r.String(), true
}

// thinkingText is a thinking part's text: its text chunks joined.
func thinkingText(raw []byte) string {
	if s, ok := jsonscan.Unquote(raw); ok {
		return s
	}
	chunks, _ := jsonscan.Elements(raw)
	var b strings.Builder
	for _, c := range chunks {
		if obj, ok := jsonscan.ParseObject(c); ok {
			s, _ := jsonscan.Unquote(obj.Get("text"))
			b.WriteString(s)
		}
	}
	return b.String()
}

// stringContents is a Chat Completions answer's (member "message") or
// chunk's (member "delta") choices with each content given as a list of
// parts turned into OpenAI's shape, which is what a Chat client's SDK
// reads (OpenAI's Go SDK makes the list's JSON, thinking and all, the
// message's text): the
// text a string, the thinking reasoning_content, where OpenAI-compatible
// servers put a model's reasoning. It is nil when no content is a list,
// so other answers go on as they came. choices must be valid JSON, as a
// member of a parsed answer or chunk is.
func stringContents(choices []byte, member string) []byte {
	// A content key written with escapes escapes the quick test as a
	// message key does memberHasListContent's: such choices take the read.
	if !(hasListContent(choices) || escapesLetter(choices)) || !memberHasListContent(choices, member) {
		return nil
	}
	elems, ok := jsonscan.Elements(choices)
	if !ok {
		return nil
	}
	changed := false
	out := []byte{'['}
	for i, raw := range elems {
		if i > 0 {
			out = append(out, ',')
		}
		if c, ok := stringContent(raw, member); ok {
			raw, changed = c, true
		}
		out = append(out, raw...)
	}
	if !changed {
		return nil
	}
	return append(out, ']')
}

// stringContent is one choice with its message's or delta's content
// turned into a string (stringContents); ok is false when it has none to
// turn. The choices come from an answer or chunk already parsed as JSON,
// so checking them again would cost a whole pass over a long answer's
// logprobs, whose content list every such answer's choices are read for.
func stringContent(raw []byte, member string) ([]byte, bool) {
	choice, err := scanValidObject(raw)
	if err != nil {
		return nil, false
	}
	msg, err := scanValidObject(choice.get(member))
	if err != nil {
		return nil, false
	}
	content := msg.get("content")
	if len(content) == 0 || content[0] != '[' {
		return nil, false
	}
	text, reasoning, ok := contentParts(content)
	if !ok {
		return nil, false
	}
	s, _ := marshalPlain(text)
	msg.setString("content", s)
	if reasoning != "" && !msg.has("reasoning_content") {
		r, _ := marshalPlain(reasoning)
		msg.setString("reasoning_content", r)
	}
	choice.setString(member, msg.encode())
	return choice.encode(), true
}

// hasListContent reports whether a member named content with a list for
// its value may be in raw, valid JSON: the quick test that spares every
// other answer and chunk a parse. A string's text cannot match, since a
// quote inside one is escaped; a false match (logprobs' content list)
// only costs memberHasListContent's read of the messages.
func hasListContent(raw []byte) bool {
	key := []byte(`"content"`)
	for {
		i := bytes.Index(raw, key)
		if i < 0 {
			return false
		}
		raw = raw[i+len(key):]
		j := jsonscan.Space(raw, 0)
		if j < len(raw) && raw[j] == ':' {
			if k := jsonscan.Space(raw, j+1); k < len(raw) && raw[k] == '[' {
				return true
			}
		}
	}
}

// memberHasListContent reports whether an object under the key member
// (a choice's "message" or "delta") in choices, valid JSON, may have a
// list for its content. hasListContent alone also matches logprobs'
// content list, which every answer with logprobs has; reading such an
// answer's choices whole to find their messages cost two more passes over
// its logprobs, most of a long answer. Only the members' objects are read
// here, each once; the rest is searched as bytes. A key written with
// escapes (ASCII letters as \u00XX) may not match the search, so choices
// with such an escape take the whole read.
func memberHasListContent(choices []byte, member string) bool {
	if escapesLetter(choices) {
		return true
	}
	key := []byte(`"` + member + `"`)
	for {
		i := bytes.Index(choices, key)
		if i < 0 {
			return false
		}
		choices = choices[i+len(key):]
		j := jsonscan.Space(choices, 0)
		if j >= len(choices) || choices[j] != ':' {
			continue // a value, not a key
		}
		start := jsonscan.Space(choices, j+1)
		if start >= len(choices) || choices[start] != '{' {
			continue
		}
		end := jsonscan.Value(choices, start)
		obj, ok := jsonscan.ParseObject(choices[start:end])
		if !ok {
			return true // let the whole read decide
		}
		if c := obj.Get("content"); len(c) > 0 && c[0] == '[' {
			return true
		}
		choices = choices[end:]
	}
}

// escapesLetter reports whether raw may hold a \u escape of a lower-case
// ASCII letter (\u0061 to \u007a; it matches \u0060 to \u007f), which
// no encoder writes unasked.
func escapesLetter(raw []byte) bool {
	esc := []byte(`\u00`)
	for {
		i := bytes.Index(raw, esc)
		if i < 0 || i+len(esc) >= len(raw) {
			return false
		}
		if c := raw[i+len(esc)]; c == '6' || c == '7' {
			return true
		}
		raw = raw[i+len(esc):]
	}
}
