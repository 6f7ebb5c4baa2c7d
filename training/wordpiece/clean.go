package wordpiece

import (
	"errors"
	"strings"
	"unicode"
)

// wordsOfUnclean is Words of NFKC text holding characters that
// BertNormalizer's clean_text removes. sugarme v0.3.0's clean_text panics
// (index out of range) on some such texts, where it removes two of them
// around a character that changes length, such as "\u200b中\v" (a
// zero-width space, a CJK character, a vertical tab), which stopped
// `train` on a prompt pasted with them. Those texts are split without the
// removed characters, as clean_text means to; every other text keeps
// sugarme's words, so tokenizers learned before stay as they were.
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
	return sugarmeWords(dropCleaned(text))
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
