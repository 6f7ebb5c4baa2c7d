package jsonscan

import (
	"bufio"
	"io"
)

// Outcome says how far [LastString] got.
type Outcome int

const (
	// Ended: the object closed, and the input ended after it with no more
	// than whitespace; the value is the one encoding/json would decode.
	Ended Outcome = iota
	// Cut: the input ended inside the object, all of it valid JSON so far;
	// the value is the last one read, which a member past the end may
	// still replace.
	Cut
	// Invalid: the input is no JSON object; the value is "".
	Invalid
)

// maxDepth is encoding/json's nesting limit: a document nested deeper is
// invalid to it, so to LastString too.
const maxDepth = 10000

// streamBuffer is what LastString holds of its input at a time.
const streamBuffer = 4 << 10

// LastString reads one JSON object from r and returns the text of the last
// of its top-level members named key: a string's, "" for any other value,
// as encoding/json's decoding into a map keeps the last of duplicate keys.
// Unlike the rest of this package it validates what it reads, as
// json.Valid does, since its input is a body no one has checked.
//
// It holds a fixed few kilobytes whatever the input's size or nesting: a
// 4 KiB buffer, a bit per level of nesting up to encoding/json's 10,000,
// and at most maxText bytes of the value as written (a longer string is
// cut there, between escapes); it never copies what it steps over. It reads
// r until the object closes and then to its end, or until r fails: err is
// r's error when the outcome is Cut (io.EOF where r simply ended).
func LastString(r io.Reader, key string, maxText int) (value string, out Outcome, err error) {
	s := &stream{br: bufio.NewReaderSize(r, streamBuffer), text: make([]byte, 0, maxText)}
	value, out = s.object(key)
	if out == Invalid {
		value = ""
	}
	return value, out, s.err
}

// stream is LastString's state.
type stream struct {
	br  *bufio.Reader
	err error // r's, once it failed
	// kinds has a bit per open container below the top-level object: set
	// for an array.
	kinds bracketKinds
	// text is the string being kept, as written; cut once it filled.
	text []byte
	cut  bool
	// keyText holds a member's key as written, enough of it to tell key.
	keyText [64]byte
	keyLen  int
	keyLong bool
}

// status is how a step ended: done, or the input ended (cut) or was not
// JSON (bad).
type status int

const (
	done status = iota
	cut
	bad
)

func (s *stream) object(key string) (value string, out Outcome) {
	fail := func(st status) (string, Outcome) {
		if st == bad {
			return "", Invalid
		}
		return value, Cut
	}
	c, st := s.nonSpace()
	if st != done {
		return fail(st)
	}
	if c != '{' {
		return "", Invalid
	}
	if c, st = s.nonSpace(); st != done {
		return fail(st)
	}
	if c != '}' {
		for {
			if c != '"' {
				return "", Invalid
			}
			s.keyLen, s.keyLong = 0, false
			if st = s.str(s.keepKey); st != done {
				return fail(st)
			}
			isKey := s.isKey(key)
			if c, st = s.nonSpace(); st != done {
				return fail(st)
			}
			if c != ':' {
				return "", Invalid
			}
			if c, st = s.nonSpace(); st != done {
				return fail(st)
			}
			switch {
			case isKey && c == '"':
				s.text, s.cut = s.text[:0], false
				if st = s.str(s.keepText); st != done {
					return fail(st)
				}
				value = s.kept()
			default:
				if st = s.value(c); st != done {
					return fail(st)
				}
				if isKey {
					value = "" // the model is no string: encoding/json reads none
				}
			}
			if c, st = s.nonSpace(); st != done {
				return fail(st)
			}
			if c == '}' {
				break
			}
			if c != ',' {
				return "", Invalid
			}
			if c, st = s.nonSpace(); st != done {
				return fail(st)
			}
		}
	}
	// Only whitespace may follow the object.
	switch _, st = s.nonSpace(); st {
	case done:
		return "", Invalid
	case cut:
		return value, Ended
	}
	return "", Invalid
}

// next returns the next byte.
func (s *stream) next() (byte, status) {
	c, err := s.br.ReadByte()
	if err != nil {
		s.err = err
		return 0, cut
	}
	return c, done
}

// nonSpace returns the next byte that is no JSON whitespace.
func (s *stream) nonSpace() (byte, status) {
	for {
		c, st := s.next()
		if st != done || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return c, st
		}
	}
}

// str reads a string whose opening quote was read, through its closing
// quote, handing keep the bytes between them as written.
func (s *stream) str(keep func([]byte)) status {
	for {
		buf, err := s.br.Peek(max(s.br.Buffered(), 1))
		if len(buf) == 0 {
			s.err = err
			return cut
		}
		i := 0
		for i < len(buf) && buf[i] != '"' && buf[i] != '\\' && buf[i] >= 0x20 {
			i++
		}
		keep(buf[:i])
		if i == len(buf) {
			_, _ = s.br.Discard(i)
			continue
		}
		c := buf[i]
		_, _ = s.br.Discard(i + 1)
		switch {
		case c == '"':
			return done
		case c < 0x20:
			return bad
		}
		// An escape: \ and one of "\/bfnrt, or u and four hex digits.
		e, st := s.next()
		if st != done {
			return st
		}
		esc := [6]byte{'\\', e}
		n := 2
		switch e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			for ; n < 6; n++ {
				if esc[n], st = s.next(); st != done {
					return st
				}
				if !isHex(esc[n]) {
					return bad
				}
			}
		default:
			return bad
		}
		keep(esc[:n])
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// keepKey keeps a key as written, up to keyText's size: a longer one is
// too long to be the key asked for.
func (s *stream) keepKey(b []byte) {
	if s.keyLen+len(b) > len(s.keyText) {
		s.keyLong = true
		return
	}
	s.keyLen += copy(s.keyText[s.keyLen:], b)
}

// keepText keeps a string as written up to text's capacity, whole escapes
// only, so what was kept still unquotes.
func (s *stream) keepText(b []byte) {
	if s.cut {
		return
	}
	if len(s.text)+len(b) > cap(s.text) {
		if b[0] != '\\' { // plain bytes are kept to the last that fits
			s.text = append(s.text, b[:cap(s.text)-len(s.text)]...)
		}
		s.cut = true
		return
	}
	s.text = append(s.text, b...)
}

// isKey reports whether the key just read says key, escapes allowed.
func (s *stream) isKey(key string) bool {
	if s.keyLong {
		return false
	}
	k := s.keyText[:s.keyLen]
	if string(k) == key {
		return true
	}
	got, _ := UnquoteKey(k)
	return got == key
}

// kept is the text of the string kept.
func (s *stream) kept() string {
	got, _ := UnquoteKey(s.text)
	return got
}

// value reads a value whose first byte, c, was read.
func (s *stream) value(c byte) status {
	depth := 0 // containers open within this value
	for {
		// c starts a value.
		switch {
		case c == '"':
			if st := s.str(func([]byte) {}); st != done {
				return st
			}
		case c == '{' || c == '[':
			if depth+1 >= maxDepth { // the top-level object is one more
				return bad
			}
			s.kinds.set(depth, c == '[')
			depth++
			var st status
			if c, st = s.nonSpace(); st != done {
				return st
			}
			if c == '}' || c == ']' {
				if (c == ']') != s.kinds.isArray(depth-1) {
					return bad
				}
				depth--
				break // the empty container is the value read
			}
			if !s.kinds.isArray(depth - 1) {
				if c, st = s.memberStart(c); st != done {
					return st
				}
			}
			continue
		case c == '-' || '0' <= c && c <= '9':
			if st := s.number(c); st != done {
				return st
			}
		case c == 't':
			if st := s.literal("rue"); st != done {
				return st
			}
		case c == 'f':
			if st := s.literal("alse"); st != done {
				return st
			}
		case c == 'n':
			if st := s.literal("ull"); st != done {
				return st
			}
		default:
			return bad
		}
		// A value ended: what follows it in the containers it is in.
		for {
			if depth == 0 {
				return done
			}
			var st status
			if c, st = s.nonSpace(); st != done {
				return st
			}
			array := s.kinds.isArray(depth - 1)
			if c == ',' {
				if c, st = s.nonSpace(); st != done {
					return st
				}
				if !array {
					if c, st = s.memberStart(c); st != done {
						return st
					}
				}
				break
			}
			if c != ']' && c != '}' || (c == ']') != array {
				return bad
			}
			depth--
		}
	}
}

// memberStart reads a nested object's member from its key's opening
// quote, c, through the colon, and returns its value's first byte.
func (s *stream) memberStart(c byte) (byte, status) {
	if c != '"' {
		return 0, bad
	}
	if st := s.str(func([]byte) {}); st != done {
		return 0, st
	}
	c, st := s.nonSpace()
	if st != done {
		return 0, st
	}
	if c != ':' {
		return 0, bad
	}
	return s.nonSpace()
}

// bracketKinds has a bit per open bracket, by depth: set for an array,
// clear for an object.
type bracketKinds [maxDepth/64 + 1]uint64

func (k *bracketKinds) set(depth int, array bool) {
	if array {
		k[depth/64] |= 1 << (depth % 64)
	} else {
		k[depth/64] &^= 1 << (depth % 64)
	}
}

func (k *bracketKinds) isArray(depth int) bool { return k[depth/64]&(1<<(depth%64)) != 0 }

// literal reads the rest of true, false or null.
func (s *stream) literal(rest string) status {
	for i := 0; i < len(rest); i++ {
		c, st := s.next()
		if st != done {
			return st
		}
		if c != rest[i] {
			return bad
		}
	}
	return s.end()
}

// end checks the byte after a number or literal: a delimiter, which is
// left to be read, or the input's end.
func (s *stream) end() status {
	c, st := s.next()
	if st != done {
		return st
	}
	_ = s.br.UnreadByte()
	switch c {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return done
	}
	return bad
}

// number reads a number whose first byte, c, was read:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *stream) number(c byte) status {
	var st status
	if c == '-' {
		if c, st = s.next(); st != done {
			return st
		}
	}
	switch {
	case c == '0':
	case '1' <= c && c <= '9':
		if _, st = s.digits(); st != done {
			return st
		}
		_ = s.br.UnreadByte()
	default:
		return bad
	}
	if c, st = s.next(); st != done {
		return st
	}
	if c == '.' {
		if c, st = s.next(); st != done {
			return st
		}
		if c, st = s.digitRun(c); st != done {
			return st
		}
	}
	if c == 'e' || c == 'E' {
		if c, st = s.next(); st != done {
			return st
		}
		if c == '+' || c == '-' {
			if c, st = s.next(); st != done {
				return st
			}
		}
		if _, st = s.digitRun(c); st != done {
			return st
		}
	}
	_ = s.br.UnreadByte()
	return s.end()
}

// digitRun reads a run of one or more digits whose first byte, c, was
// read, up to and including the first byte that is none: a fraction's or
// an exponent's.
func (s *stream) digitRun(c byte) (byte, status) {
	if c < '0' || c > '9' {
		return c, bad
	}
	return s.digits()
}

// digits reads digits up to and including the first byte that is none.
func (s *stream) digits() (byte, status) {
	for {
		c, st := s.next()
		if st != done || c < '0' || c > '9' {
			return c, st
		}
	}
}
