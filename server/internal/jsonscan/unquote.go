package jsonscan

import (
	"encoding/binary"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote decodes a JSON string literal exactly as encoding/json does, in
// one pass and without validating the whole value again first: long
// message texts (a file an agent read) are most of a request's bytes, and
// json.Unmarshal reads each one twice. ok is false for anything that is
// not a well-formed string literal; callers then fall back to
// json.Unmarshal for its error.
func Unquote(raw []byte) (s string, ok bool) {
	raw = trimJSONSpace(raw)
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	// Most texts need no decoding: plain bytes, valid UTF-8.
	if plainRun(body) == len(body) {
		return string(body), true
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return "", false
			}
			switch e := body[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := hex4(body[i+2:])
				if !ok {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair makes one rune; a lone half is U+FFFD, and the
					// escape after it is read on its own.
					if lo, ok := hex4(body[min(i+2, len(body)):]); ok && body[i] == '\\' && body[i+1] == 'u' {
						if d := utf16.DecodeRune(r, lo); d != utf8.RuneError {
							b.WriteRune(d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
				continue
			default:
				return "", false
			}
			i += 2
		case c < 0x20 || c == '"':
			return "", false
		case c < utf8.RuneSelf:
			// Copy the run of plain bytes up to the next escape at once.
			n := plainRun(body[i:])
			b.Write(body[i : i+n])
			i += n
		default:
			r, size := utf8.DecodeRune(body[i:])
			b.WriteRune(r) // an invalid byte is U+FFFD, as encoding/json makes it
			i += size
		}
	}
	return b.String(), true
}

// plainRun is the length of b's leading run of bytes a string literal
// holds as they are (ASCII, no quote, backslash or control character),
// found eight bytes at a time.
func plainRun(b []byte) int {
	i := 0
	for len(b)-i >= 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if !plainWord(w) || w&highs != 0 {
			break
		}
		i += 8
	}
	for i < len(b) && plainStringByte(b[i]) {
		i++
	}
	return i
}

// UnquoteKey decodes an object's key as it is written between its quotes
// (a Member's Key), as Unquote decodes a literal.
func UnquoteKey(key []byte) (s string, ok bool) {
	return Unquote(append(append([]byte{'"'}, key...), '"'))
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// trimJSONSpace drops the whitespace JSON allows around a value.
func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
