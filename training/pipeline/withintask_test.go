package pipeline

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/training/corpus"
)

// pred builds a prediction on task with profile 0 and 1 labelled.
func pred(task string, s0, s1, l0, l1 float64) prediction {
	return prediction{
		ex:     corpus.Example{Task: task, Labels: []corpus.Label{{Profile: 0, Score: s0}, {Profile: 1, Score: s1}}},
		logits: []float64{l0, l1},
	}
}

func TestWithinTaskAUC(t *testing.T) {
	// Profile 0 fails the second prompt of task a; a prediction that ranks
	// it lower is right on that pair, the reverse wrong.
	right := []prediction{pred("a", 1, 1, 2, 0), pred("a", 0, 1, -1, 0)}
	wrong := []prediction{pred("a", 1, 1, -1, 0), pred("a", 0, 1, 2, 0)}
	assert.Equal(t, 1.0, withinTaskAUC(right))
	assert.Equal(t, 0.0, withinTaskAUC(wrong))
	// A constant per-task prediction (a task lookup) scores one half.
	flat := []prediction{pred("a", 1, 1, 0, 0), pred("a", 0, 1, 0, 0)}
	assert.Equal(t, 0.5, withinTaskAUC(flat))
	// Prompts of different tasks are never compared.
	apart := []prediction{pred("a", 1, 1, -1, 0), pred("b", 0, 1, 2, 0)}
	assert.True(t, math.IsNaN(withinTaskAUC(apart)))
}

func TestWithinTaskGapAUC(t *testing.T) {
	// True gaps score0-score1: +1 on p, 0 on q, -1 on r.
	p, q, r := pred("a", 1, 0, 3, 0), pred("a", 1, 1, 1, 0), pred("a", 0, 1, -2, 0)
	assert.Equal(t, 1.0, withinTaskGapAUC([]prediction{p, q, r}))
	// Swap the predicted gaps of p and r: the pairs (p,r), (p,q) and (q,r) are all misordered.
	p.logits, r.logits = r.logits, p.logits
	assert.Equal(t, 0.0, withinTaskGapAUC([]prediction{p, q, r}))
	// A shared shift of both logits leaves the gap, and the measure, alone.
	shifted := pred("a", 1, 0, 13, 10)
	assert.Equal(t, withinTaskGapAUC([]prediction{pred("a", 1, 0, 3, 0), q}), withinTaskGapAUC([]prediction{shifted, q}))
}

func TestLengthOnlyRanksLongerPromptsLower(t *testing.T) {
	short, long := pred("a", 1, 1, 0, 0), pred("a", 0, 0, 0, 0)
	short.ex.Text, long.ex.Text = "2+2?", "Prove that every bounded monotone sequence of reals converges."
	// The long prompt is the one both models fail: length alone ranks it right.
	assert.Equal(t, 1.0, withinTaskAUC(lengthOnly([]prediction{short, long})))
	short.ex.Text, long.ex.Text = long.ex.Text, short.ex.Text
	assert.Equal(t, 0.0, withinTaskAUC(lengthOnly([]prediction{short, long})))
}
