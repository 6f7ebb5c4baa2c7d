// Package jsonscan reads the parts of a JSON document that the gateway has
// already validated (a body json.Unmarshal accepted) without validating
// them again. encoding/json checks the whole of its input on every
// Unmarshal, so decoding a request level by level (body, messages, blocks,
// texts) read an agent's 300 KB conversation five or six times over; these
// functions find an array's elements, an object's members and a string's
// text in one plain pass.
//
// On input that is not valid JSON they never panic and never loop: they
// return ok false, or slices that json.Unmarshal then refuses. Valid is
// that check itself, json.Valid's answer in a faster pass.
package jsonscan

import "bytes"

// Space returns the index of the first byte at or after i that is not
// JSON whitespace.
func Space(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// Value returns the end of the JSON value starting at i.
func Value(raw []byte, i int) int {
	depth := 0
	for ; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			i = String(raw, i)
			if depth == 0 {
				return min(i+1, len(raw))
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 { // the end of the enclosing value: a bare literal ended
				return i
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	// An unclosed string inside an unclosed value leaves i one past the
	// end.
	return min(i, len(raw))
}

// String returns the index of the quote that closes the string whose
// opening quote is at i (len(raw) when there is none).
func String(raw []byte, i int) int {
	for j := i + 1; j < len(raw); {
		k := bytes.IndexByte(raw[j:], '"')
		if k < 0 {
			return len(raw)
		}
		q := j + k
		// The quote closes the string unless an odd run of backslashes
		// escapes it. IndexByte is much faster than looking for either
		// byte, and escaped quotes are rare.
		n := 0
		for p := q - 1; p > i && raw[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		j = q + 1
	}
	return len(raw)
}

// Elements returns the elements of the array raw (surrounding space
// allowed); ok is false when raw is not an array. The array is walked
// twice, once to count its elements and once to slice them into a list of
// that size: a list grown element by element allocated about five times its
// final size along the way (Go grows a large slice by a quarter), 120
// bytes for each of 100,000 one-word messages where 24 are kept.
func Elements(raw []byte) (elems [][]byte, ok bool) {
	n, ok := CountElements(raw)
	if !ok {
		return nil, false
	}
	elems = make([][]byte, 0, n)
	EachElement(raw, func(e []byte) bool { elems = append(elems, e); return true })
	return elems, true
}

// CountElements is how many elements the array raw has (surrounding space
// allowed); ok is false when raw is not an array. A reader that walks the
// array next with EachElement can size what it keeps first.
func CountElements(raw []byte) (n int, ok bool) {
	ok = EachElement(raw, func([]byte) bool { n++; return true })
	return n, ok
}

// EachElement calls each with every element of the array raw (surrounding
// space allowed) in turn, until each returns false, and reports whether
// raw is an array (true when each stopped early). A reader that looks at
// one element at a time walks a long conversation this way without the
// list Elements allocates. On an array malformed part way, each has seen
// the elements before the fault.
func EachElement(raw []byte, each func(elem []byte) bool) bool {
	return EachElementFrom(raw, func(raw []byte, i int) int {
		end := Value(raw, i)
		if end == i {
			return len(raw) + 1 // no element here: not an array
		}
		if !each(raw[i:end]) {
			return i
		}
		return end
	})
}

// EachElementFrom is EachElement for a reader that reads each element
// where it lies and so finds its end (EachMemberFrom): each gets the
// array's raw and the index of an element's first byte, and returns the
// index just past the element, or i itself (or less) to stop, which is
// reported as an array, as EachElement reports one whose each stopped;
// an index past len(raw) says no element lies at i, reported as not an
// array.
func EachElementFrom(raw []byte, each func(raw []byte, i int) (end int)) bool {
	i := Space(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	if i = Space(raw, i+1); i < len(raw) && raw[i] == ']' {
		return true
	}
	for i < len(raw) {
		end := each(raw, i)
		if end <= i {
			return true
		}
		if end > len(raw) {
			return false
		}
		i = Space(raw, end)
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ']':
			return true
		case ',':
			i = Space(raw, i+1)
		default:
			return false
		}
	}
	return false
}

// Member is one member of an object: its key as written between the
// quotes, and its value.
type Member struct {
	Key, Value []byte
}

// Object is an object's members in the order written.
type Object []Member

// ParseObject returns the members of the object raw (surrounding space
// allowed); ok is false when raw is not an object.
func ParseObject(raw []byte) (obj Object, ok bool) {
	// Room for the usual message or content part ({"role", "content"},
	// {"type", "text"}) and most small objects at once: grown from
	// nothing, a four-member object took three allocations.
	return ParseObjectInto(make(Object, 0, 4), raw)
}

// ParseObjectInto is ParseObject writing the members over buf's, for a
// loop that reads one object of a list at a time: one buffer serves them
// all, where ParseObject allocates 192 bytes an object. What it returns
// shares buf's memory, so it is good until buf is used again; the keys
// and values are slices of raw.
func ParseObjectInto(buf Object, raw []byte) (obj Object, ok bool) {
	obj = buf[:0]
	if obj == nil {
		obj = Object{} // ok and nil would read as no object
	}
	if !EachMember(raw, func(key, value []byte) bool {
		obj = append(obj, Member{Key: key, Value: value})
		return true
	}) {
		return nil, false
	}
	return obj, true
}

// EachMember calls each with every member of the object raw (surrounding
// space allowed) in turn, its key as written between the quotes and its
// value, until each returns false, and reports whether raw is an object
// (true when each stopped early). A reader that needs only a member or
// two, or only the keys, reads them this way without an Object. On an
// object malformed part way, each has seen the members before the fault.
func EachMember(raw []byte, each func(key, value []byte) bool) bool {
	_, ok := EachMemberFrom(raw, 0, each)
	return ok
}

// EachMemberFrom is EachMember of the object that starts at raw[i]
// (space before it allowed), which also returns the index just past the
// object's closing brace; end is meaningful only when ok and each did not
// stop early. A reader walking a list's objects one by one
// (EachElementFrom) reads each object once, where EachElement would scan
// it to find its end and EachMember again to read it.
func EachMemberFrom(raw []byte, i int, each func(key, value []byte) bool) (end int, ok bool) {
	i = Space(raw, i)
	if i >= len(raw) || raw[i] != '{' {
		return 0, false
	}
	if i = Space(raw, i+1); i < len(raw) && raw[i] == '}' {
		return i + 1, true
	}
	for i < len(raw) && raw[i] == '"' {
		keyEnd := String(raw, i)
		if keyEnd >= len(raw) {
			return 0, false
		}
		key := raw[i+1 : keyEnd]
		i = Space(raw, keyEnd+1)
		if i >= len(raw) || raw[i] != ':' {
			return 0, false
		}
		start := Space(raw, i+1)
		end := Value(raw, start)
		if end == start {
			return 0, false
		}
		if !each(key, raw[start:end]) {
			return 0, true
		}
		i = Space(raw, end)
		if i >= len(raw) {
			return 0, false
		}
		switch raw[i] {
		case '}':
			return i + 1, true
		case ',':
			i = Space(raw, i+1)
		default:
			return 0, false
		}
	}
	return 0, false
}

// Get returns the value of the last member named key (as encoding/json
// keeps the last of duplicates), nil when there is none. A key written
// with escapes or other than plain ASCII is compared by its decoded text.
// Keys match exactly: encoding/json would also match "Type" to a struct
// field "type", which the providers' APIs do not.
func (o Object) Get(key string) []byte {
	for i := len(o) - 1; i >= 0; i-- {
		if KeyIs(o[i].Key, key) {
			return o[i].Value
		}
	}
	return nil
}

// KeyIs reports whether the key k, as written between its quotes, names
// key: exactly, or by its decoded text when written with escapes or other
// than plain ASCII.
func KeyIs(k []byte, key string) bool {
	if string(k) == key {
		return true
	}
	if PlainASCII(k) {
		return false
	}
	s, ok := UnquoteKey(k)
	return ok && s == key
}

// IsNull reports whether a member's value is absent or null.
func IsNull(v []byte) bool {
	v = trimJSONSpace(v)
	return len(v) == 0 || string(v) == "null"
}

// PlainASCII reports whether the key or string text b, as written between
// its quotes, is plain ASCII without escapes: its text is its bytes.
func PlainASCII(b []byte) bool {
	for _, c := range b {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}
