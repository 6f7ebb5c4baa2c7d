package openai

import (
	"bytes"
	"encoding/json"
	"strings"

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

// nestedRead are, for each API, the nested objects Parse, the forwarding
// and the translations read members of (the reasoning effort and
// verbosity fitted to a model, stream_options.include_usage, a content
// part's text, a tool call's arguments), with those members. Their
// readers decode with encoding/json, which takes "Type" for "type", and so
// does each translation; a provider that reads exact names (OpenAI,
// Anthropic, Python's json) does not. So a case variant of one of them is
// refused (exactNested), as a top-level one is (upstream.ExactMembersOf):
// reading by exact name here alone would still leave the translation to
// Claude reading the variant, while a refusal loses nothing a provider
// takes, since no API has two members that differ only in case.
var nestedPaths = map[API][]nestedObject{
	Chat: {
		nested("tools[]", "type", "function"),
		nested("tools[].function", "name"),
		nested("functions[]", "name"),
		nested("response_format", "type"),
		nested("stream_options", "include_usage"),
		nested("tool_choice", "type", "function", "allowed_tools"),
		nested("tool_choice.function", "name"),
		nested("tool_choice.allowed_tools", "mode", "tools"),
		nested("tool_choice.allowed_tools.tools[]", "type", "function"),
		nested("tool_choice.allowed_tools.tools[].function", "name"),
		// The translation to Claude reads a message's tool_call_id and
		// refusal, its content parts and tool calls.
		nested("messages[]", "role", "content", "tool_calls", "tool_call_id", "refusal"),
		nested("messages[].content[]", "type", "text", "refusal", "image_url"),
		nested("messages[].content[].image_url", "url"),
		nested("messages[].tool_calls[]", "id", "type", "function"),
		nested("messages[].tool_calls[].function", "name", "arguments"),
	},
	Responses: {
		nested("tools[]", "type", "name"),
		nested("reasoning", "effort"),
		nested("text", "format", "verbosity"),
		nested("text.format", "type"),
		// A function choice and allowed_tools' flat form.
		nested("tool_choice", "type", "name", "mode", "tools"),
		nested("tool_choice.tools[]", "type", "name"),
		nested("input[]", "type", "role", "content"),
		// The translation to Claude reads a message's content parts and a
		// tool output's (an item's other members it reads by exact name).
		nested("input[].content[]", "type", "text", "refusal", "image_url", "file_id"),
		nested("input[].output[]", "type", "text", "refusal", "image_url", "file_id"),
		nested("conversation", "id"),
		nested("prompt", "id"),
	},
	Messages: messagesNested,
	// count_tokens reads a Messages body.
	CountTokens: messagesNested,
}

var messagesNested = []nestedObject{
	// The translation to Chat sends a tool's description, input_schema
	// and strict on as the function's, and disable_parallel_tool_use as
	// parallel_tool_calls (upstream.MessagesToChat).
	nested("tools[]", "type", "name", "description", "input_schema", "strict"),
	nested("thinking", "type", "budget_tokens"),
	nested("tool_choice", "type", "name", "disable_parallel_tool_use"),
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

// nestedRead is nestedPaths as one tree per API, which exactNested walks.
var nestedRead = func() map[API]*readNode {
	trees := make(map[API]*readNode, len(nestedPaths))
	for api, objs := range nestedPaths {
		trees[api] = readTree(objs...)
	}
	return trees
}()

// readNode is a value along the nestedRead paths: the members read of it
// (an object), the members leading further, or the node of each element
// (an array). One tree per API lets the check read each message, part
// and tool call once, however many paths pass through it.
type readNode struct {
	names []string
	child []readChild
	elem  *readNode
}

type readChild struct {
	name string
	node *readNode
}

// maxChildren bounds a node's children, so that a walk keeps the last
// value of each on the stack.
const maxChildren = 4

// readTree builds an API's tree from its paths; the root's children are
// top-level members.
func readTree(objs ...nestedObject) *readNode {
	root := &readNode{}
	for _, o := range objs {
		n := root
		for i, seg := range o.path {
			// The root's children are looked up in the top-level map,
			// not kept during a walk, so any number may follow it.
			n = n.next(seg, i > 0)
		}
		n.names = append(n.names, o.names...)
	}
	return root
}

// next returns the node seg ("[]" or a member name) leads to, added if
// new; bounded holds n to maxChildren children.
func (n *readNode) next(seg string, bounded bool) *readNode {
	if seg == "[]" {
		if n.elem == nil {
			n.elem = &readNode{}
		}
		return n.elem
	}
	for _, c := range n.child {
		if c.name == seg {
			return c.node
		}
	}
	if bounded && len(n.child) == maxChildren {
		panic("openai: more than maxChildren paths go on from one nested object")
	}
	c := readChild{name: seg, node: &readNode{}}
	n.child = append(n.child, c)
	return c.node
}

// exactNested refuses a body one of whose nestedRead objects has a member
// named as one read there in another case ("Type", "Budget_Tokens",
// written plainly or with escapes), with the error a top-level one gets.
// A member named exactly twice is not refused: every reader takes the
// last. A value of another shape (a tool_choice string, a string content)
// is left to the readers.
func exactNested(api API, top map[string]json.RawMessage) error {
	for _, c := range nestedRead[api].child {
		v, ok := top[c.name]
		if !ok {
			continue
		}
		if found := exactAt(v, c.node); found != nil {
			found.path = append(found.path, pathSeg{name: c.name})
			return found.err()
		}
	}
	return nil
}

// variantAt is a member exactAt found named in another case.
type variantAt struct {
	text, name string    // the member's name as written, and the one it names
	path       []pathSeg // where the object is, innermost first
}

// pathSeg is a member name or, where elem, an element index.
type pathSeg struct {
	name  string
	index int
	elem  bool
}

// exactAt returns the first member named in another case in v or below it
// along n, nil when there is none. It runs on every request, over each of
// a long conversation's messages, so it walks the body with callbacks and
// carries no path (built only for the error): with a list of the
// elements, an Object and a path per message, a Chat body of 100,000
// one-word messages took 42 % longer to serve and made 100,000 more
// allocations.
func exactAt(v []byte, n *readNode) *variantAt {
	var found *variantAt
	if n.elem != nil {
		found = exactInElements(v, n.elem)
		if found != nil {
			return found
		}
	}
	if len(n.names) == 0 && len(n.child) == 0 {
		return nil
	}
	found, _ = exactInMembers(v, 0, n)
	return found
}

// exactInElements is exactAt of each element of the array v along n.
// An element that is an object is read once, where it lies: found by
// jsonscan.EachElement and then read, each of a long conversation's
// messages was scanned twice.
func exactInElements(v []byte, n *readNode) *variantAt {
	var found *variantAt
	i := 0
	jsonscan.EachElementFrom(v, func(raw []byte, at int) int {
		var end int
		if n.elem == nil && (len(n.names) > 0 || len(n.child) > 0) {
			found, end = exactInMembers(raw, at, n)
		} else {
			end = jsonscan.Value(raw, at)
			found = exactAt(raw[at:end], n)
		}
		if found != nil {
			found.path = append(found.path, pathSeg{index: i, elem: true})
			return at
		}
		if end <= at {
			// Not an object, or none whole: what EachElement would have
			// handed exactAt, which finds nothing in it.
			end = jsonscan.Value(raw, at)
			if end == at {
				return at
			}
		}
		i++
		return end
	})
	return found
}

// exactInMembers is exactAt's check of the members of the object at
// raw[at] along n (its elements aside), with the index just past the
// object: 0 where raw holds no object there, or found is not nil.
func exactInMembers(raw []byte, at int, n *readNode) (found *variantAt, end int) {
	// The last member of each child's name, as the readers take.
	var values [maxChildren][]byte
	end, ok := jsonscan.EachMemberFrom(raw, at, func(key, value []byte) bool {
		for i, c := range n.child {
			if string(key) == c.name {
				// Most keys: named exactly, so no variant of any name.
				values[i] = value
				return true
			}
		}
		if text, name, ok := caseVariant(key, n.names); ok {
			found = &variantAt{text: text, name: name}
			return false
		}
		if !jsonscan.PlainASCII(key) {
			for i, c := range n.child {
				if jsonscan.KeyIs(key, c.name) {
					values[i] = value
				}
			}
		}
		return true
	})
	if found != nil {
		return found, 0
	}
	if !ok {
		end = 0
	}
	for i, c := range n.child {
		if values[i] == nil {
			continue
		}
		if found = exactAt(values[i], c.node); found != nil {
			found.path = append(found.path, pathSeg{name: c.name})
			return found, 0
		}
	}
	return nil, end
}

// err is the refusal of f, with the error a top-level case variant gets.
func (f *variantAt) err() error {
	last := len(f.path) - 1
	at := &paramPath{name: f.path[last].name}
	for i := last - 1; i >= 0; i-- {
		var next paramPath
		if seg := f.path[i]; seg.elem {
			next = at.elem(seg.index)
		} else {
			next = at.member(seg.name)
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
	// Kelvin sign to "k", "ſ" to "s"): compare the key's text. The body is
	// UTF-8 (checkUTF8), and a byte that is not would fold to no name.
	key := k
	if bytes.IndexByte(k, '\\') >= 0 {
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
