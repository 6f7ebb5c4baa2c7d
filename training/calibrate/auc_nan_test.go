package calibrate

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A model whose training diverged predicts NaN; its AUC has no meaning and
// is NaN (as with one class missing), so that train reports it rather than
// spin forever grouping ties (NaN equals nothing, itself included).
func TestAUCOfANaNScoreIsNaN(t *testing.T) {
	assert.True(t, math.IsNaN(AUC([]float64{0.2, math.NaN(), 0.9}, []float64{0, 1, 1})))
	assert.InDelta(t, 1.0, AUC([]float64{0.2, 0.5, 0.9}, []float64{0, 1, 1}), 1e-12, "finite scores are ranked as before")
}
