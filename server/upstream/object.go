package upstream

import (
	"bytes"
	"encoding/json"
	"slices"
)

// object is a JSON object's members with their values' bytes as sent: the
// request and answer rewrites on every call use it instead of
// map[string]json.RawMessage, which copies every value and allocates a map
// only to be encoded again. Its encoding is byte-for-byte what
// encodeObject gives for the same members (keys sorted, one member per
// key, the last of duplicates winning).
type object struct {
	members []member
}

// member is one key and its raw value. plain keys are their own JSON
// encoding between the quotes (no escapes, nothing json.Marshal would
// escape); others are unescaped text that encode marshals.
type member struct {
	key   []byte
	value []byte
	plain bool
}

// scanObject reads a JSON object without copying its values. It falls back
// to parseObject (and so to its error) for anything that is not a valid
// object, and for keys with escapes, which only encoding/json unescapes
// exactly as before.
func scanObject(raw []byte) (object, error) {
	if obj, ok := scanPlainObject(raw); ok {
		return obj, nil
	}
	m, err := parseObject(raw)
	if err != nil {
		return object{}, err
	}
	obj := object{members: make([]member, 0, len(m))}
	for k, v := range m {
		obj.members = append(obj.members, member{key: []byte(k), value: v, plain: plainKey([]byte(k))})
	}
	return obj, nil
}

// scanPlainObject is the fast path: ok is false when raw is not a valid
// JSON object or a key is not plain.
func scanPlainObject(raw []byte) (object, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' || !json.Valid(raw) {
		return object{}, false
	}
	obj := object{members: make([]member, 0, 16)}
	i = skipSpace(raw, i+1)
	if raw[i] == '}' {
		return obj, true
	}
	for {
		// raw is valid JSON, so a key string, a colon and a value follow.
		end := bytes.IndexByte(raw[i+1:], '"') + i + 1
		key := raw[i+1 : end]
		if !plainKey(key) {
			return object{}, false
		}
		i = skipSpace(raw, end+1) // at ':'
		start := skipSpace(raw, i+1)
		stop := skipValue(raw, start)
		obj.set(key, raw[start:stop])
		if len(obj.members) > maxScannedMembers {
			return object{}, false
		}
		i = skipSpace(raw, stop)
		if raw[i] == '}' {
			return obj, true
		}
		i = skipSpace(raw, i+1) // past ','
	}
}

// maxScannedMembers bounds the fast path, whose duplicate check is
// quadratic; larger objects take the map.
const maxScannedMembers = 64

// plainKey reports whether key needs no escaping either way: printable
// ASCII without quotes, backslashes or the characters encoding/json
// escapes for HTML.
func plainKey(key []byte) bool {
	for _, c := range key {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value starting at i.
func skipValue(raw []byte, i int) int {
	depth := 0
	for ; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '"':
			i = skipString(raw, i)
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 { // the end of the enclosing object: a bare literal ended
				return i
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// skipString returns the index of the quote closing the string at i.
func skipString(raw []byte, i int) int {
	for i++; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return i
}

// get returns the value of name, nil when absent.
func (o *object) get(name string) []byte {
	if i := o.index(name); i >= 0 {
		return o.members[i].value
	}
	return nil
}

func (o *object) has(name string) bool { return o.index(name) >= 0 }

func (o *object) index(name string) int {
	for i, m := range o.members {
		if string(m.key) == name {
			return i
		}
	}
	return -1
}

// set replaces name's value, or adds the member.
func (o *object) set(key []byte, value []byte) {
	for i, m := range o.members {
		if bytes.Equal(m.key, key) {
			o.members[i].value = value
			return
		}
	}
	o.members = append(o.members, member{key: key, value: value, plain: plainKey(key)})
}

func (o *object) setString(name string, value []byte) { o.set([]byte(name), value) }

func (o *object) del(name string) {
	if i := o.index(name); i >= 0 {
		o.members = slices.Delete(o.members, i, i+1)
	}
}

// encode writes the members in key order, values as they are (see
// encodeObject).
func (o *object) encode() []byte {
	slices.SortFunc(o.members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	size := 2
	for _, m := range o.members {
		size += len(m.key) + len(m.value) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, m := range o.members {
		if i > 0 {
			out = append(out, ',')
		}
		if m.plain {
			out = append(out, '"')
			out = append(out, m.key...)
			out = append(out, '"')
		} else {
			key, _ := json.Marshal(string(m.key))
			out = append(out, key...)
		}
		out = append(out, ':')
		out = append(out, m.value...)
	}
	return append(out, '}')
}
