package jsonscan

import "unicode/utf8"

// WholeUTF8 is JSON text with each byte that begins no valid UTF-8 sequence
// replaced by U+FFFD, as encoding/json reads it; text that is valid
// UTF-8 comes back as it is, not copied. The gateway takes and sends
// only UTF-8 (RFC 8259 §8.1), yet JSON from elsewhere may hold such bytes
// inside a string: a provider's answer or error, cut between the bytes of
// a character, or a row an older build kept before bodies were checked.
func WholeUTF8(raw []byte) []byte {
	if utf8.Valid(raw) {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(raw)/16)
	start := 0 // of the valid run not yet copied
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(append(out, raw[start:i]...), "\uFFFD"...)
			start = i + 1
		}
		i += size
	}
	return append(out, raw[start:]...)
}
