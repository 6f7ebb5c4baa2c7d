// Package echoed finds the text of a request that a provider's error
// message quotes back, and replaces it with a marker. Servers that echo the
// request in their validation errors (vLLM's and SGLang's 400s, FastAPI's
// pydantic errors: {'type': ..., 'loc': ..., 'input': '...'}) would
// otherwise put the start of the prompt in the decision log of a gateway
// that keeps no prompts; the rest of the message (its type, the limit it
// names) is what debugging needs, and stays.
//
// Text is compared as words: runs of letters and digits, case folded (a
// character of a script written without spaces, as Chinese, Japanese and
// Thai are, is a word by itself), so the escaping a quote adds or removes
// (JSON's \n, \" and \u00e9, Python's repr with \' and \n, a backslash
// doubled once per layer) does not hide a match. Every run of at least
// MinWords consecutive words of a message that also occur consecutively
// in the request is replaced, with what lies between its words, by
// Marker.
package echoed

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MinWords is the shortest run of a request's words that is replaced. The
// phrases an error message is built of ("in the messages", "length of
// the") turn up by chance in any long prompt as 3 words in a row, much
// more rarely as 4; and an echo is one run as long as the text it quotes,
// so only a request of fewer words than this escapes whole.
const MinWords = 4

// Marker stands where a message quoted the request.
const Marker = "[request text]"

// cut ends a message the gateway shortened (upstream's refusalText).
const cut = "..."

// Replace returns msgs, each with the runs of request's text it quotes
// replaced by Marker (a message that quotes none comes back as it was).
// It costs one pass over request, whatever its size, with memory for the
// messages' words only: the request's word runs are looked up among the
// messages', not stored.
func Replace(msgs []string, request []byte) []string {
	spans := make([][]span, len(msgs))
	keys := make([][]uint64, len(msgs))
	found := map[uint64]bool{}
	var inMessages wordFilter
	for i, m := range msgs {
		spans[i] = words(m)
		keys[i] = grams(spans[i])
		for _, k := range keys[i] {
			found[k] = false
		}
		for _, w := range spans[i] {
			inMessages.add(w.hash)
		}
	}
	if len(found) == 0 {
		return msgs
	}
	left := len(found)
	var ring [MinWords]uint64
	n, run := 0, 0 // words read; the last of them a message may have, in a row
	eachWord(request, func(_, _ int, h uint64) bool {
		ring[n%MinWords] = h
		n++
		if run++; !inMessages.has(h) {
			run = 0
		}
		if run < MinWords {
			return true // most of a long request: no map lookup
		}
		k := gramKey(ring[:], n)
		if seen, ok := found[k]; ok && !seen {
			found[k] = true
			left--
		}
		return left > 0
	})
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = mark(m, spans[i], keys[i], found)
	}
	return out
}

// wordFilter holds the hashes of the messages' words, with false
// positives: a request word it has not is in no message.
type wordFilter [1 << 10]uint64

func (f *wordFilter) add(h uint64)      { f[h>>54] |= 1 << (h & 63) }
func (f *wordFilter) has(h uint64) bool { return f[h>>54]&(1<<(h&63)) != 0 }

// span is one word of a message: its bytes and its hash.
type span struct {
	start, end int
	hash       uint64
}

func words(s string) []span {
	var out []span
	eachWord([]byte(s), func(start, end int, h uint64) bool {
		out = append(out, span{start, end, h})
		return true
	})
	return out
}

// grams are the keys of ws' runs of MinWords words, by first word.
func grams(ws []span) []uint64 {
	if len(ws) < MinWords {
		return nil
	}
	keys := make([]uint64, 0, len(ws)-MinWords+1)
	var ring [MinWords]uint64
	for i, w := range ws {
		ring[i%MinWords] = w.hash
		if i+1 >= MinWords {
			keys = append(keys, gramKey(ring[:], i+1))
		}
	}
	return keys
}

// gramKey combines the last MinWords word hashes in ring, n words having
// been put in it, oldest first.
func gramKey(ring []uint64, n int) uint64 {
	k := uint64(0)
	for j := range MinWords {
		k = (k^ring[(n+j)%MinWords])*0x9e3779b97f4a7c15 + 1
		k ^= k >> 29
	}
	return k
}

// mark replaces the words of m covered by a run found in the request, with
// what lies between them, by Marker.
func mark(m string, ws []span, keys []uint64, found map[uint64]bool) string {
	covered := make([]bool, len(ws))
	quoted := false
	for at, k := range keys {
		if found[k] {
			quoted = true
			for j := at; j < at+MinWords; j++ {
				covered[j] = true
			}
		}
	}
	if !quoted {
		return m
	}
	if last := len(ws) - 1; last > 0 && covered[last-1] && !covered[last] &&
		ws[last].end == len(m)-len(cut) && strings.HasSuffix(m, cut) {
		// The message was shortened in the middle of the request's next
		// word: its start is the request's too.
		covered[last] = true
	}
	var b strings.Builder
	done := 0 // m[:done] is in b
	for i := 0; i < len(ws); i++ {
		if !covered[i] {
			continue
		}
		j := i
		for j+1 < len(ws) && covered[j+1] {
			j++
		}
		b.WriteString(m[done:ws[i].start])
		b.WriteString(Marker)
		done = ws[j].end
		i = j
	}
	b.WriteString(m[done:])
	return b.String()
}

// FNV-1a, over a word's case-folded runes.
const (
	hashOffset = 14695981039346656037
	hashPrime  = 1099511628211
)

// eachWord calls f with each word of b (its bytes, and the hash of its
// case-folded letters and digits) until f returns false. A backslash
// escape is read as what it stands for: \uXXXX (two for a surrogate
// pair), \UXXXXXXXX and \xXX as their character, \n, \r, \t and the like
// as a space, and a run of backslashes (one escaping the next, once per
// layer of quoting) as one.
func eachWord(b []byte, f func(start, end int, h uint64) bool) {
	start, h := -1, uint64(hashOffset)
	for i := 0; i < len(b); {
		r, n := rune(b[i]), 1
		switch {
		case r == '\\':
			r, n = escape(b[i:])
		case r >= utf8.RuneSelf:
			r, n = utf8.DecodeRune(b[i:])
		}
		if r = fold(r); r >= utf8.RuneSelf && unspaced(r) {
			// A word by itself: that script's text has no spaces, so a
			// prompt in it would be one long word, seldom 4.
			if start >= 0 && !f(start, i, h) {
				return
			}
			if !f(i, i+n, (hashOffset^uint64(r))*hashPrime) {
				return
			}
			start, h = -1, hashOffset
		} else if r >= 0 {
			if start < 0 {
				start = i
			}
			h = (h ^ uint64(r)) * hashPrime
		} else if start >= 0 {
			if !f(start, i, h) {
				return
			}
			start, h = -1, hashOffset
		}
		i += n
	}
	if start >= 0 {
		f(start, len(b), h)
	}
}

// fold is r lower-cased when it is part of a word, else -1.
func fold(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		return r
	case r >= 'A' && r <= 'Z':
		return r + 'a' - 'A'
	case r < utf8.RuneSelf:
		return -1
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r):
		return unicode.ToLower(r)
	}
	return -1
}

// unspaced reports whether r is of a script written without spaces
// between words, whose characters are words by themselves.
func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}

// escape reads the backslash escape at the start of b: the character it
// stands for (-1 for none that is part of a word) and its length.
func escape(b []byte) (rune, int) {
	i := 0
	for i < len(b) && b[i] == '\\' {
		i++
	}
	if i == len(b) {
		return -1, i
	}
	switch b[i] {
	case 'n', 'r', 't', 'b', 'f', 'v', 'a':
		return -1, i + 1
	case 'x':
		return hexRune(b, i, 2)
	case 'u':
		r, n := hexRune(b, i, 4)
		if utf16.IsSurrogate(r) && r < 0xdc00 && n < len(b) && b[n] == '\\' {
			// JSON's form of a character past the BMP: a high half and
			// a low one.
			if low, m := escape(b[n:]); utf16.IsSurrogate(low) && low >= 0xdc00 {
				return utf16.DecodeRune(r, low), n + m
			}
		}
		return r, n
	case 'U':
		return hexRune(b, i, 8)
	}
	return -1, i
}

// hexRune reads the escape's digits after b[i], digits of them: the
// character, or a separator where they are not all hex digits.
func hexRune(b []byte, i, digits int) (rune, int) {
	if len(b) < i+1+digits {
		return -1, i
	}
	var r rune
	for _, c := range b[i+1 : i+1+digits] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return -1, i
		}
		r = r<<4 | rune(d)
	}
	if r > unicode.MaxRune {
		return -1, i + 1 + digits
	}
	return r, i + 1 + digits
}
