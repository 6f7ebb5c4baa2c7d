package store

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An exact sum is the correctly rounded total whatever the order of the
// numbers and however they were split into sums that were then merged:
// what lets a report add per-day totals and give what adding rows gives.
func TestExactSumIsTheRoundedTotalInAnyOrderAndSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 5000)
	exact := new(big.Float).SetPrec(4000)
	for i := range xs {
		xs[i] = r.Float64() * []float64{1e-9, 0.001, 1, 1e6}[i%4]
		if i%5 == 0 {
			xs[i] = -xs[i]
		}
		exact.Add(exact, new(big.Float).SetFloat64(xs[i]))
	}
	want, _ := exact.Float64()
	for range 5 {
		r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		var whole, merged exactSum
		var part exactSum
		for i, x := range xs {
			whole.add(x)
			part.add(x)
			if i%97 == 0 {
				merged.merge(part)
				part = exactSum{}
			}
		}
		merged.merge(part)
		assert.Equal(t, want, whole.value())
		assert.Equal(t, want, merged.value())
	}
}
