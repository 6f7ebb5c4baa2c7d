package openai

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// nestedObject is a nested object whose members routing, pricing, a
// capability filter or a limit reads, and the names of those members.
type nestedObject struct {
	path  []string // member names from the top level; "[]" is each element of an array
	names []string
}

// nested builds a nestedObject from a dotted path ("tools[].function").
func nested(path string, names ...string) nestedObject {
	var segs []string
	for _, s := range strings.Split(path, ".") {
		if name, ok := strings.CutSuffix(s, "[]"); ok {
			segs = append(segs, name, "[]")
			continue
		}
		segs = append(segs, s)
	}
	return nestedObject{path: segs, names: names}
}

// nestedRead are, for each API, the nested objects Parse and the
// forwarding read members of (the reasoning effort and verbosity fitted to
// a model, stream_options.include_usage), with those members. Their
// readers decode with encoding/json, which takes "Type" for "type", and so
// does each translation; a provider that reads exact names (OpenAI,
// Anthropic, Python's json) does not. So a case variant of one of them is
// refused (exactNested), as a top-level one is (upstream.ExactMembers):
// reading by exact name here alone would still leave the translation to
// Claude reading the variant, while a refusal loses nothing a provider
// takes, since no API has two members that differ only in case.
var nestedRead = map[API][]nestedObject{
	Chat: {
		nested("tools[]", "type", "function"),
		nested("tools[].function", "name"),
		nested("functions[]", "name"),
		nested("response_format", "type"),
		nested("stream_options", "include_usage"),
		nested("tool_choice", "type", "function"),
		nested("messages[]", "role", "content", "tool_calls"),
	},
	Responses: {
		nested("tools[]", "type", "name"),
		nested("reasoning", "effort"),
		nested("text", "format", "verbosity"),
		nested("text.format", "type"),
		nested("tool_choice", "type"),
		nested("input[]", "type", "role", "content"),
		nested("conversation", "id"),
		nested("prompt", "id"),
	},
	Messages: messagesNestedRead,
	// count_tokens reads a Messages body.
	CountTokens: messagesNestedRead,
}

var messagesNestedRead = []nestedObject{
	nested("tools[]", "type", "name"),
	nested("thinking", "type", "budget_tokens"),
	nested("tool_choice", "type", "name"),
	nested("output_config", "format"),
	nested("output_config.format", "type", "schema"),
	nested("output_format", "type", "schema"),
	nested("metadata", "user_id"),
	nested("thread", "type", "previous_message_id"),
	// A turn's role and content are read by exact name by routing and by
	// the translation alike (upstream.MessagesToChat); Anthropic does too.
}

// exactNested refuses a body one of whose nestedRead objects has a member
// named as one read there in another case ("Type", "Budget_Tokens",
// written plainly or with escapes), with the error a top-level one gets.
// A member named exactly twice is not refused: every reader takes the
// last. A value of another shape (a tool_choice string) is left to the
// readers.
func exactNested(api API, top map[string]json.RawMessage) error {
	for _, n := range nestedRead[api] {
		v, ok := top[n.path[0]]
		if !ok {
			continue
		}
		at := paramAt(n.path[0])
		if err := exactAt(v, n.path[1:], &at, n.names); err != nil {
			return err
		}
	}
	return nil
}

// exactAt checks the objects path leads to from v, which sits at at.
func exactAt(v []byte, path []string, at *paramPath, names []string) error {
	if len(path) == 0 {
		return exactKeys(v, at, names)
	}
	if path[0] == "[]" {
		elems, ok := jsonscan.Elements(v)
		if !ok {
			return nil
		}
		for i, e := range elems {
			el := at.elem(i)
			if err := exactAt(e, path[1:], &el, names); err != nil {
				return err
			}
		}
		return nil
	}
	var room [16]jsonscan.Member
	obj, ok := jsonscan.ParseObjectInto(room[:0], v)
	if !ok {
		return nil
	}
	child := obj.Get(path[0])
	if child == nil {
		return nil
	}
	m := at.member(path[0])
	return exactAt(child, path[1:], &m, names)
}

// exactKeys refuses a member of the object v (if it is one) that names one
// of names in another case.
func exactKeys(v []byte, at *paramPath, names []string) error {
	var room [16]jsonscan.Member
	obj, ok := jsonscan.ParseObjectInto(room[:0], v)
	if !ok {
		return nil
	}
	for _, m := range obj {
		key := m.Key
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			unquoted, _ := jsonscan.UnquoteKey(key)
			key = []byte(unquoted)
		}
		for _, known := range names {
			if string(key) != known && bytes.EqualFold(key, []byte(known)) {
				got, want := at.member(string(key)), at.member(known)
				param := got.String()
				// The path is in the message too: the Messages API's
				// error shape has no param.
				return invalid(param, "unknown member %q (did you mean %q?)", param, want.String())
			}
		}
	}
	return nil
}
