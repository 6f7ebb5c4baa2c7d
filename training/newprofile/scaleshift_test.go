package newprofile

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// From far off (the model puts every anchor at p≈0.0003, the data rates
// them all good), the shift still lands on the minimum of its objective:
// BCE of sigmoid(logit + δ) plus the ridge, whose derivative is zero there.
func TestScaleShiftReachesTheMinimumFromFarOff(t *testing.T) {
	for _, tc := range []struct {
		logit, score float64
		n            int
	}{{-8, 1, 400}, {8, 0, 400}, {-8, 1, 3}, {0, 0.7, 50}} {
		logits, scores := make([]float64, tc.n), make([]float64, tc.n)
		for i := range logits {
			logits[i], scores[i] = tc.logit, tc.score
		}
		d := scaleShift(logits, scores)
		g := d // the ridge's derivative (ridge 1)
		for i := range logits {
			g += 1/(1+math.Exp(-(logits[i]+d))) - scores[i]
		}
		assert.InDelta(t, 0, g, 1e-6, "logit %v, score %v, n %d: δ = %v", tc.logit, tc.score, tc.n, d)
	}
}
