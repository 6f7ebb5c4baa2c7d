package classifier

import (
	"unicode"
	"unicode/utf8"
)

// Rune classes after normalization.
const (
	classSkip     = iota // removed by the normalizer
	classWord            // part of a word
	classSpace           // ends a word
	classIsolated        // a word of its own (punctuation, CJK)
)

// classify normalizes one input rune (after NFKC, when the tokenizer has
// it) and says what the pre-tokenizer does with it. Every decision depends
// on that rune alone, which is what lets EncodeTruncated start in the
// middle of a text (with NFKC, only where normalization does not reach
// across: nfkcWordEnd).
func (t *Tokenizer) classify(r rune) (int, rune) {
	if r < utf8.RuneSelf {
		c := asciiRaw[r]
		if t.clean {
			c = asciiClean[r]
		}
		if t.lowercase && 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return int(c), r
	}
	if t.clean && (r == utf8.RuneError || isControl(r)) {
		return classSkip, r
	}
	if t.chinese && isChinese(r) {
		return classIsolated, r
	}
	if t.lowercase {
		r = unicode.ToLower(r)
	}
	if t.stripMarks && unicode.Is(unicode.Mn, r) {
		return classSkip, r
	}
	if isPunctuation(r) {
		return classIsolated, r
	}
	return classWord, r
}

// asciiClean and asciiRaw are classify's tables for ASCII, with and
// without clean_text (which removes controls, \f included, before the
// pre-tokenizer sees them).
var asciiClean, asciiRaw = asciiTable(true), asciiTable(false)

func asciiTable(clean bool) (c [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		switch {
		case clean && (r == 0 || isControl(r)):
			c[r] = classSkip
		case isSeparator(r):
			c[r] = classSpace
		case isPunctuation(r):
			c[r] = classIsolated
		default:
			c[r] = classWord
		}
	}
	return c
}

// isSeparator matches the whitespace sugarme's BertPreTokenizer splits on
// (Go's regexp \s).
func isSeparator(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

// isControl is BERT's control class: Cc and Cf except tab, newline and CR.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	if r < utf8.RuneSelf {
		return r < 0x20 || r == 0x7f
	}
	return unicode.In(r, unicode.Cc, unicode.Cf)
}

// isPunctuation is BERT's punctuation: every ASCII symbol and Unicode P.
func isPunctuation(r rune) bool {
	if r < utf8.RuneSelf {
		return (r >= 0x21 && r <= 0x2f) || (r >= 0x3a && r <= 0x40) || (r >= 0x5b && r <= 0x60) || (r >= 0x7b && r <= 0x7e)
	}
	return unicode.Is(unicode.P, r)
}

// isChinese uses sugarme's CJK ranges (which differ slightly from Hugging Face's).
func isChinese(r rune) bool {
	switch {
	case r < 0x3400:
		return false
	case r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xf900 && r <= 0xfaff:
		return true
	case r >= 0x20000 && r <= 0x2a6df, r >= 0x2a700 && r <= 0x2b73f, r >= 0x2b740 && r <= 0x2b81f,
		r >= 0x2b820 && r <= 0x2ceaf, r >= 0x2f800 && r <= 0x2fa1f:
		return true
	}
	return false
}
