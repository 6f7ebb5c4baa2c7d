package calibrate

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitPlattRecoversTheTrueScaling(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ a, b, spread float64 }{{0.5, 0.3, 2}, {2, -1, 1}, {1, 0, 5}, {0.1, 2, 20}} {
		var l, y []float64
		for range 20000 {
			x := rng.NormFloat64() * tc.spread
			l = append(l, x)
			if rng.Float64() < sigmoid(tc.a*x+tc.b) {
				y = append(y, 1)
			} else {
				y = append(y, 0)
			}
		}
		p, err := FitPlatt(l, y)
		require.NoError(t, err)
		assert.InDelta(t, tc.a, p.A, 0.1*tc.a+0.02, "%+v", tc)
		assert.InDelta(t, tc.b, p.B, 0.1, "%+v", tc)
		probs := make([]float64, len(l))
		for i := range l {
			probs[i] = p.Apply(l[i])
		}
		assert.Less(t, ECE(probs, y, 10), 0.02)
	}
}
