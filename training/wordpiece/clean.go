package wordpiece

import (
	"errors"
	"strings"
	"unicode"
)

// wordsOfUnclean is Words of NFKC text that sugarme v0.3.0 may split out
// of place or panic on. Its clean_text panics (index out of range) on some
// texts holding characters it removes, where it removes two of them around
// a character that changes length, such as "\u200b中\v" (a zero-width
// space, a CJK character, a vertical tab), and its lower-casing leaves its
// offsets behind where a letter's lower case is longer in UTF-8 (Ⱥ, Ⱦ),
// which panics on most texts holding one; either stopped `train` on a
// prompt pasted with them. Those texts are split without the removed
// characters and lower-cased first, as the normaliser means to; every
// other text keeps sugarme's words, so tokenizers learned before stay as
// they were. sugarme's normaliser and pre-tokenizer start no goroutines,
// so none is left behind by the recover.
func wordsOfUnclean(text string) (ws []string, err error) {
	func() {
		defer func() {
			if recover() != nil {
				ws, err = nil, errPanicked
			}
		}()
		ws, err = sugarmeWords(text)
	}()
	if err != errPanicked {
		return ws, err
	}
	// Lower-casing first commutes with clean_text and the CJK padding,
	// and leaves sugarme's lower-casing nothing to change in length.
	return sugarmeWords(strings.ToLower(dropCleaned(text)))
}

var errPanicked = errors.New("sugarme panicked")

// dropCleaned removes the characters clean_text removes.
func dropCleaned(s string) string {
	return strings.Map(func(r rune) rune {
		if cleaned(r) {
			return -1
		}
		return r
	}, s)
}

// cleaned reports whether clean_text removes r: NUL, U+FFFD, and control
// and format characters other than tab and line breaks.
func cleaned(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	case 0, unicode.ReplacementChar:
		return true
	}
	return unicode.In(r, unicode.Cc, unicode.Cf)
}
