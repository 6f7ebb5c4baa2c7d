package upstream

import "unicode/utf8"

// wholeUTF8 is a provider's JSON answer with each byte that begins no
// UTF-8 sequence replaced by U+FFFD, as encoding/json reads it. A server
// that cuts a character between tokens (a self-hosted one) may answer such
// bytes inside a string; passed on as they came, they reached the client
// raw where the answer is passed on (Chat and Responses from an OpenAI
// API, Messages from Claude's) and as U+FFFD where it is translated, so a
// strict client (Python's json, as the OpenAI and Anthropic SDKs read an
// answer) failed on one route and not another, and a client that sent the
// text back in its next call was refused: the gateway takes only UTF-8
// (RFC 8259 §8.1). The answer a Responses call keeps is made from this,
// so a read by id gives what the call gave.
func wholeUTF8(raw []byte) []byte {
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
