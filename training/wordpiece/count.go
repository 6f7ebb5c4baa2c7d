package wordpiece

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// countWords counts the pre-tokens Words finds in texts. Words (sugarme's
// normaliser and pre-tokenizer) is most of Train's time and grows with the
// training prompts, yet most of a prompt's whitespace-separated fields recur
// across prompts: each distinct field is split once and its words counted
// as often as the field occurs. That gives the counts Words of each whole
// text gives, since the pre-tokenizer splits at ASCII whitespace, every
// other step of Words maps one character at a time, and NFKC composes
// nothing across a space (TestCountWordsMatchesWordsOfEachText). A text
// where that does not hold is split whole, as Words splits it.
func countWords(texts []string) (map[string]int, error) {
	fields := map[string]int{}
	counts := map[string]int{}
	for _, t := range texts {
		if strings.IndexFunc(norm.NFKC.String(t), splitWhole) >= 0 {
			ws, err := Words(t)
			if err != nil {
				return nil, err
			}
			for _, w := range ws {
				counts[w]++
			}
			continue
		}
		for f := range strings.FieldsFuncSeq(t, isASCIISpace) {
			fields[f]++
		}
	}
	for f, n := range fields {
		ws, err := Words(f)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			counts[w] += n
		}
	}
	return counts, nil
}

// splitWhole reports whether sugarme's words after r depend on the text
// before it, so a text holding r is not split field by field: clean_text
// misplaces what follows a character it removes, and the lower-casing
// leaves its offsets behind where a letter's lower case has another
// length in UTF-8 (İ and ẞ shrink, Ⱥ and Ⱦ grow: "İ Ⱥ" splits whole, while
// "Ⱥ" alone panics).
func splitWhole(r rune) bool {
	return cleaned(r) || utf8.RuneLen(unicode.ToLower(r)) != utf8.RuneLen(r)
}

// isASCIISpace is the whitespace the BERT pre-tokenizer splits on after
// the normaliser: not a form feed, which the normaliser drops as a control
// character ("a\fb" is one word), nor a no-break space or U+3000, which
// NFKC folds; those stay inside a field.
func isASCIISpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
