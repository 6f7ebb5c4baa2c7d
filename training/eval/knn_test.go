package eval

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// Two evals of the same data give the same knn row: its estimates do not
// depend on the order Go's maps happen to walk a prompt's words in.
func TestKNNEstimatesAreTheSameEveryRun(t *testing.T) {
	d := toyDataset(600, 0.1, 3)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range d.Items {
		var b strings.Builder
		for range 40 {
			fmt.Fprintf(&b, "w%d ", rng.IntN(300))
		}
		d.Items[i].Prompt += " " + b.String()
	}
	tb, err := BuildTable(d, nil, nil)
	require.NoError(t, err)
	first, err := outOfSample(KNN{K: 5}, tb, nil, nil, 5)
	require.NoError(t, err)
	for range 5 {
		again, err := outOfSample(KNN{K: 5}, tb, nil, nil, 5)
		require.NoError(t, err)
		require.Equal(t, first, again)
	}
}
