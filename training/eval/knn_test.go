package eval

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The kNN baseline reads prompts as the router model does: pasted text
// (full-width letters, ligatures, decomposed accents, no-break spaces)
// gives the words of the plain text it shows.
func TestKNNWordsOfPastedTextAreThoseOfItsPlainForm(t *testing.T) {
	for pasted, plain := range map[string]string{
		"Ｗｈａｔ\u00a0is ２＋２？":            "What is 2+2?",
		"the ﬁrst ﬂoor":                "the first floor",
		"cafe\u0301\u2009au\u3000lait": "café au lait",
	} {
		assert.Equalf(t, words(plain), words(pasted), "%+q", pasted)
	}
	assert.Equal(t, []string{"café", "au", "lait"}, words("cafe\u0301 au lait"))
}
