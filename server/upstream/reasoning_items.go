package upstream

import (
	"bytes"
	"strings"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
)

// dropReasoningItems removes the `reasoning` items from a Responses input
// list. The list is rewritten only when it held one, the kept items with
// their exact bytes; a list it cannot read is left to the provider.
//
// The body is valid JSON by now (scanObject checked it, or the gateway
// parsed it), so the items and their types are found by jsonscan instead
// of being decoded: an agent's late turn sends back hundreds of items and
// their tool outputs, and decoding each one took about half of the call's
// CPU.
func dropReasoningItems(obj *object) {
	raw := obj.get("input")
	if len(raw) == 0 || raw[0] != '[' || !bytes.Contains(raw, []byte(`"reasoning"`)) {
		return
	}
	items, ok := jsonscan.Elements(raw)
	if !ok {
		return
	}
	var out []byte // nil until an item is dropped
	for i, it := range items {
		if !isReasoningItem(it) {
			if out != nil {
				out = appendItem(out, it)
			}
			continue
		}
		if out == nil {
			out = append(make([]byte, 0, len(raw)), '[')
			for _, kept := range items[:i] {
				out = appendItem(out, kept)
			}
		}
	}
	if out != nil {
		obj.setString("input", append(out, ']'))
	}
}

// appendItem adds an item to the list being written after '['.
func appendItem(out, item []byte) []byte {
	if len(out) > 1 {
		out = append(out, ',')
	}
	return append(out, item...)
}

// isReasoningItem reports whether item is read as a reasoning item the way
// encoding/json decodes it into a struct with a `type` string, as this
// filter always has: an object whose type is "reasoning", its key matched
// without regard to case and after unescaping, the last such member
// winning, except that null leaves the type as it was; a type that is not
// a string or null (a decoding error) keeps the item, as does anything that
// is not an object.
func isReasoningItem(item []byte) bool {
	if len(item) == 0 || item[0] != '{' {
		return false
	}
	reasoning := false
	i := jsonscan.Space(item, 1)
	for i < len(item) && item[i] == '"' {
		keyEnd := jsonscan.String(item, i)
		if keyEnd >= len(item) {
			return false
		}
		key := item[i+1 : keyEnd]
		i = jsonscan.Space(item, keyEnd+1)
		if i >= len(item) || item[i] != ':' {
			return false
		}
		start := jsonscan.Space(item, i+1)
		end := jsonscan.Value(item, start)
		if end <= start {
			return false
		}
		if isTypeKey(key) {
			switch v := item[start:end]; {
			case v[0] == '"':
				reasoning = isString(v, "reasoning")
			case string(v) != "null":
				return false
			}
		}
		i = jsonscan.Space(item, end)
		if i < len(item) && item[i] == ',' {
			i = jsonscan.Space(item, i+1)
		}
	}
	return reasoning
}

// isTypeKey reports whether an object key, as written between its quotes,
// names the `type` field for encoding/json. Only an escaped key needs
// decoding: no other byte sequence folds to the ASCII letters of "type".
func isTypeKey(key []byte) bool {
	if bytes.EqualFold(key, []byte("type")) {
		return true
	}
	if bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	s, ok := jsonscan.UnquoteKey(key)
	return ok && strings.EqualFold(s, "type")
}

// isString reports whether the string literal v decodes to s.
func isString(v []byte, s string) bool {
	if len(v) == len(s)+2 && string(v[1:len(v)-1]) == s {
		return true
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return false
	}
	got, ok := jsonscan.Unquote(v)
	return ok && got == s
}
