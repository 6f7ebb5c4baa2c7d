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
	// The translation to Chat sends output_config.effort on as the
	// reasoning effort (upstream reasoningEffort).
	nested("output_config", "format", "effort"),
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
		if found := exactAt(v, n.path[1:], n.names); found != nil {
			return found.err(n.path)
		}
	}
	return nil
}

// variantAt is a member exactAt found named in another case.
type variantAt struct {
	text, name string // the member's name as written, and the one it names
	indices    []int  // the element index at each "[]" of the path, innermost first
}

// exactAt returns the first member named in another case in the objects
// path leads to from v, nil when there is none. It runs on every request,
// over each of a long conversation's messages, so it walks the body with
// callbacks and carries no path (built only for the error): with a list
// of the elements, an Object and a path per message, a Chat body of
// 100,000 one-word messages took 42 % longer to serve and made 100,000
// more allocations.
func exactAt(v []byte, path []string, names []string) *variantAt {
	if len(path) == 0 {
		return exactKeys(v, names)
	}
	var found *variantAt
	if path[0] == "[]" {
		i := 0
		jsonscan.EachElement(v, func(e []byte) bool {
			if found = exactAt(e, path[1:], names); found != nil {
				found.indices = append(found.indices, i)
				return false
			}
			i++
			return true
		})
		return found
	}
	// The last member of that name, as the readers take.
	var child []byte
	jsonscan.EachMember(v, func(key, value []byte) bool {
		if jsonscan.KeyIs(key, path[0]) {
			child = value
		}
		return true
	})
	if child == nil {
		return nil
	}
	return exactAt(child, path[1:], names)
}

// exactKeys returns the first member of the object v (if it is one) that
// names one of names in another case.
func exactKeys(v []byte, names []string) *variantAt {
	var found *variantAt
	jsonscan.EachMember(v, func(key, _ []byte) bool {
		if text, name, ok := caseVariant(key, names); ok {
			found = &variantAt{text: text, name: name}
			return false
		}
		return true
	})
	return found
}

// err is the refusal of f, found along path, with the error a top-level
// case variant gets.
func (f *variantAt) err(path []string) error {
	at := &paramPath{name: path[0]}
	last := len(f.indices) - 1
	for _, seg := range path[1:] {
		var next paramPath
		if seg == "[]" {
			next = at.elem(f.indices[last])
			last--
		} else {
			next = at.member(seg)
		}
		at = &next
	}
	got, want := at.member(f.text), at.member(f.name)
	param := got.String()
	// The path is in the message too: the Messages API's error shape has
	// no param.
	return invalid(param, "unknown member %q (did you mean %q?)", param, want.String())
}

// caseVariant reports whether the key k, as written between its quotes,
// names one of names in another case: text is the key's text, name the
// one it names.
func caseVariant(k []byte, names []string) (text, name string, ok bool) {
	if len(k) == 0 {
		return "", "", false
	}
	if jsonscan.PlainASCII(k) {
		// Most keys, checked without a fold where one cannot match: case
		// folds an ASCII letter only to an ASCII letter, so a variant has
		// the name's length and, lowercased, its first byte.
		first := lowerASCII(k[0])
		for _, n := range names {
			if len(k) == len(n) && first == lowerASCII(n[0]) && string(k) != n && bytes.EqualFold(k, []byte(n)) {
				return string(k), n, true
			}
		}
		return "", "", false
	}
	// Escapes, or letters outside ASCII, which fold in other ways (the
	// Kelvin sign to "k", "ſ" to "s"): compare the key's text.
	key := k
	if bytes.IndexByte(k, '\\') >= 0 || !utf8.Valid(k) {
		unquoted, _ := jsonscan.UnquoteKey(k)
		key = []byte(unquoted)
	}
	for _, n := range names {
		if string(key) != n && bytes.EqualFold(key, []byte(n)) {
			return string(key), n, true
		}
	}
	return "", "", false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
