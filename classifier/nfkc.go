package classifier

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFKC folds compatibility forms (a no-break space to a space, full-width
// letters and digits to ASCII, ligatures to their letters) and composes
// decomposed accents, so text pasted from web pages or word processors
// reads like its plain form. It composes across runes, so the tokenizer
// normalizes text piece by piece, cutting only where the normal form of
// the whole is the normal forms of the pieces put together: before a rune
// that starts a segment (norm's BoundaryBefore: a starter that combines
// with nothing before it).

// nfkcChunk bounds how far one quick check reads ahead, so that
// EncodeTruncated's forward scan does not check a long text's middle.
const nfkcChunk = 512

// nextNFKCPiece splits the next piece off text[i:]. It returns the piece's
// end j > i and, when text[i:j] is not all in NFKC, its normal form
// appended to buf[:0] (raw false). A piece ends at a segment start, so the
// pieces' normal forms put together are the normal form of the text.
func nextNFKCPiece(text string, i int, buf []byte) (j int, normal []byte, raw bool) {
	end := min(len(text), i+nfkcChunk)
	k := i + asciiPrefix(text[i:end])
	switch {
	case k == len(text):
		return k, nil, true
	case k > i && startsSegment(text[k:]): // ASCII up to a rune that combines with nothing before it
		return k, nil, true
	case k > i+1: // the last ASCII rune may combine with the rune after it
		return k - 1, nil, true
	}
	// A rune that is a segment of its own and folds to one rune (a no-break
	// space, a full-width letter) needs no call to norm, which allocates.
	p := norm.NFKC.PropertiesString(text[i:])
	if d := p.Decomposition(); d != nil {
		if j = i + p.Size(); utf8.RuneCount(d) == 1 && (j == len(text) || startsSegment(text[j:])) {
			return j, append(buf[:0], d...), false
		}
	} else if n, _ := norm.NFKC.SpanString(text[i:end], end == len(text)); n > 0 {
		return i + n, nil, true
	}
	// Else normalize up to the chunk's last segment start (or, in a run of
	// marks longer than a chunk, the run's end): one call per chunk.
	j = end
	for j < len(text) && j > i+1 && !startsSegment(text[j:]) {
		j--
	}
	for j < len(text) && !startsSegment(text[j:]) {
		j++
	}
	return j, norm.NFKC.AppendString(buf[:0], text[i:j]), false
}

// startsSegment says whether s begins with a rune that combines with
// nothing before it. Continuation bytes do not (the loop in
// nextNFKCPiece moves past them); a lone invalid byte does.
func startsSegment(s string) bool {
	if s[0] < utf8.RuneSelf {
		return true
	}
	if !utf8.RuneStart(s[0]) {
		return false
	}
	return norm.NFKC.PropertiesString(s).BoundaryBefore()
}

// asciiPrefix is the length of s's leading ASCII bytes, read eight at a time.
func asciiPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s) && s[i] < utf8.RuneSelf; i++ {
	}
	return i
}

// nfkcWordEnd says whether EncodeTruncated may start a stretch at b with
// NFKC on. The rune before b (r, size bytes) must end a word once
// normalized: a space or an isolated rune, which is a single rune in NFKC
// and a segment of its own. The rune at b must start a segment, so text[:b]
// and text[b:] normalize apart exactly as within the whole.
func (t *Tokenizer) nfkcWordEnd(text string, b int, r rune, size int) bool {
	if r >= utf8.RuneSelf {
		p := norm.NFKC.PropertiesString(text[b-size:])
		if !p.BoundaryBefore() {
			return false
		}
		if d := p.Decomposition(); d != nil {
			var n int
			if r, n = utf8.DecodeRune(d); n != len(d) {
				return false // several runes, which may compose
			}
		}
	}
	if c, _ := t.classify(r); c != classSpace && c != classIsolated {
		return false
	}
	return b == len(text) || startsSegment(text[b:])
}

// tailWalk bounds how far EncodeTruncated walks back over raw text for a
// word boundary (with NFKC, a rune that folds to a space or an isolated
// rune) before it reads the text's end normalized instead: text whose
// runes each fold to several words (U+FDFA) has no raw boundary at all.
const tailWalk = 1 << 10

// appendNormalizedTail appends the tokens of the last words of text[:p],
// which ends a word, at least need of them if text after q holds as many
// (else fewer, and EncodeTruncated encodes the whole text). At a segment
// start s, NFKC(text) is NFKC(text[:s]) + NFKC(text[s:]), and only the
// first word of NFKC(text[s:p]) can join with text before s: the tokens
// after its first space or isolated rune are the whole text's. s moves
// back, the span read at least doubling, until they are need or s is the
// first segment start after q; the cost stays within a few times that of
// normalizing the span the tokens come from.
func (t *Tokenizer) appendNormalizedTail(dst []int64, text string, q, p, need int, w *wordBuf) []int64 {
	mark := len(dst)
	var buf []byte // not w.norm: the pool would keep a buffer this long
	for span := max(t.tailWalk/4, 1); ; {
		s := p - span
		for s > q && !startsSegment(text[s:]) {
			s--
		}
		last := s <= q
		if last {
			for s = q + 1; s < p && !startsSegment(text[s:]); s++ {
			}
			if s >= p {
				return dst
			}
		}
		buf = norm.NFKC.AppendString(buf[:0], text[s:p])
		dst = t.appendAfterFirstBreak(dst[:mark], buf, w)
		if len(dst)-mark >= need || last {
			return dst
		}
		span = 2 * (p - s)
	}
}

// appendAfterFirstBreak tokenizes normal, text in NFKC, from just after
// its first space or isolated rune (nothing if it has none).
func (t *Tokenizer) appendAfterFirstBreak(dst []int64, normal []byte, w *wordBuf) []int64 {
	for k := 0; k < len(normal); {
		r, size := utf8.DecodeRune(normal[k:])
		k += size
		if c, _ := t.classify(r); c == classSpace || c == classIsolated {
			for k < len(normal) {
				r, size = utf8.DecodeRune(normal[k:])
				k += size
				dst = t.feed(dst, r, w)
			}
			return t.flush(dst, w)
		}
	}
	return dst
}
