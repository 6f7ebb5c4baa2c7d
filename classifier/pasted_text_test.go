package classifier

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// Text pasted from a web page, a word processor or a PDF often carries
// no-break spaces, full-width forms, ligatures or decomposed accents. The
// shipped router model must judge it as the same text typed plainly:
// otherwise such a prompt reads as unknown words and is routed on noise.
func TestShippedModelPredictsPastedTextAsItsPlainForm(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	c := open(t, files, Options{})
	for _, tc := range []struct{ pasted, plain string }{
		{"Please\u00a0summarize\u00a0the\u00a0following\u00a0article\u00a0in\u00a0three\u00a0bullet\u00a0points.",
			"Please summarize the following article in three bullet points."},
		{"Ｓｏｌｖｅ ｆｏｒ ｘ： ３ｘ ＋ ５ ＝ ２０", "Solve for x: 3x + 5 = 20"},
		{"Find the ﬁrst ﬂoor plan, then write a brief for the caf\u0065\u0301.", "Find the first floor plan, then write a brief for the caf\u00e9."},
		{"Pourquoi\u00a0le ciel est-il bleu\u202f? Explique\u2002simplement.", "Pourquoi le ciel est-il bleu ? Explique simplement."},
	} {
		got, err := c.Predict(context.Background(), []string{tc.pasted, tc.plain})
		require.NoError(t, err)
		for profile, want := range got[1] {
			assert.InDeltaf(t, want.Quality, got[0][profile].Quality, 1e-6, "%s on %+q", profile, tc.pasted)
			assert.InDeltaf(t, want.OutputTokens, got[0][profile].OutputTokens, 1e-3, "%s on %+q", profile, tc.pasted)
		}
	}
}
