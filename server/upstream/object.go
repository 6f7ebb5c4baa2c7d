package upstream

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
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
	// late, when set, is encoded by encode in value's place, straight into
	// the object's buffer (the answer's details, kilobytes); value, if
	// any, is what goes out should late fail to encode.
	late jsonAppender
	// parts, when set, is the value in pieces, written one after the
	// other (a translation's messages, slices of the client's body among
	// them: see encodeBody); value is then nil.
	parts [][]byte
}

// scanObject reads a JSON object without copying its values. It falls back
// to parseObject (and so to its error) for anything that is not a valid
// object, and for keys with escapes, which only encoding/json unescapes
// exactly as before.
func scanObject(raw []byte) (object, error) { return scanObjectOf(raw, false, 0) }

// scanValidObject is scanObject for a body known to be valid JSON (the
// gateway parsed the client's body before routing it): checking a long
// conversation again would cost a whole pass over it.
func scanValidObject(raw []byte) (object, error) { return scanObjectOf(raw, true, 0) }

// scanAnswerObject is scanObject for an answer, with room for the member
// every routed answer gets: its details.
func scanAnswerObject(raw []byte) (object, error) { return scanObjectOf(raw, false, 1) }

// room is how many members the caller will add.
func scanObjectOf(raw []byte, valid bool, room int) (object, error) {
	if obj, ok := scanPlainObject(raw, valid, room); ok {
		return obj, nil
	}
	m, err := parseObject(raw)
	if err != nil {
		return object{}, err
	}
	obj := object{members: make([]member, 0, len(m)+room)}
	for k, v := range m {
		obj.members = append(obj.members, member{key: []byte(k), value: v, plain: plainKey([]byte(k))})
	}
	return obj, nil
}

// scanPlainObject is the fast path: ok is false when raw is not a valid
// JSON object or a key is not plain.
func scanPlainObject(raw []byte, valid bool, room int) (object, bool) {
	if !valid && !json.Valid(raw) {
		return object{}, false
	}
	members, ok := jsonscan.ParseObject(raw)
	if !ok || len(members) > maxScannedMembers {
		return object{}, false
	}
	obj := object{members: make([]member, 0, len(members)+room)}
	for _, m := range members {
		if !plainKey(m.Key) {
			return object{}, false
		}
		obj.set(m.Key, m.Value)
	}
	return obj, true
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

// setEncodedLate sets key to v, encoded only by encode. Should v fail to
// encode there, the member is as it was before: its old value, or none.
// key is kept, not copied, and must not change.
func (o *object) setEncodedLate(key []byte, v jsonAppender) {
	if i := o.index(string(key)); i >= 0 {
		o.members[i].late = v
		return
	}
	o.members = append(o.members, member{key: key, plain: plainKey(key), late: v})
}

// setParts sets name's value to parts, written one after the other.
// name must be plain.
func (o *object) setParts(name string, parts [][]byte) {
	o.del(name)
	o.members = append(o.members, member{key: []byte(name), plain: true, parts: parts})
}

func (o *object) del(name string) {
	if i := o.index(name); i >= 0 {
		o.members = slices.Delete(o.members, i, i+1)
	}
}

// encode writes the members in key order, values as they are (see
// encodeObject).
func (o *object) encode() []byte {
	w := o.write(math.MaxInt) // nothing is large enough to be shared
	return w.written
}

func (o *object) sortMembers() {
	slices.SortFunc(o.members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
}

// appendTo writes m (after a comma when it is not the first) to out. A
// value of shareFrom bytes or more is left out, for the caller to send as
// it is: shared reports so, with out ending in the colon before it.
func (m member) appendTo(out []byte, comma bool, shareFrom int) (_ []byte, shared bool) {
	start := len(out)
	out = m.appendKey(out, comma)
	if m.late != nil {
		if encoded, err := m.late.AppendJSON(out); err == nil {
			return encoded, false
		}
	}
	switch {
	case m.value == nil:
		return out[:start], false // a late member that failed, with no value before it
	case len(m.value) >= shareFrom:
		return out, true
	}
	return append(out, m.value...), false
}

// appendKey writes m's key and its colon (after a comma when it is not
// the first member).
func (m member) appendKey(out []byte, comma bool) []byte {
	if comma {
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
	return append(out, ':')
}
