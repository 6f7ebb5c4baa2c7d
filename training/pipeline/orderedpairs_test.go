package pipeline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomScored draws n scores from few values, so truths and predictions
// tie often, as 0/1 correctness and rounded logits do.
func randomScored(rng *rand.Rand, n, values int) []scored {
	xs := make([]scored, n)
	for i := range xs {
		xs[i] = scored{pred: float64(rng.IntN(values)) / 3, truth: float64(rng.IntN(values)) / 7}
	}
	return xs
}

func TestOrderedPairsCountsEveryPair(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for n := range 60 {
		for _, values := range []int{1, 2, 3, 10, 1000} {
			xs := randomScored(rng, n, values)
			wantR, wantT := orderedPairsEach(xs)
			r, tot := orderedPairsSorted(xs)
			require.Equal(t, wantR, r, "n %d values %d", n, values)
			require.Equal(t, wantT, tot, "n %d values %d", n, values)
		}
	}
	// Negative zero equals zero, as == reads it.
	xs := []scored{{pred: math.Copysign(0, -1), truth: 0}, {pred: 0, truth: 1}, {pred: 1, truth: math.Copysign(0, -1)}}
	wantR, wantT := orderedPairsEach(xs)
	r, tot := orderedPairsSorted(xs)
	require.Equal(t, []float64{wantR, wantT}, []float64{r, tot})
	// A group too large to compare pair by pair, and one with a NaN
	// prediction, which keeps the pairwise reading.
	xs = randomScored(rng, pairwiseUpTo+500, 50)
	wantR, wantT = orderedPairsEach(xs)
	r, tot = orderedPairs(xs)
	require.Equal(t, []float64{wantR, wantT}, []float64{r, tot})
	xs[7].pred = math.NaN()
	wantR, wantT = orderedPairsEach(xs)
	r, tot = orderedPairs(xs)
	require.Equal(t, []float64{wantR, wantT}, []float64{r, tot})
}

// BenchmarkOrderedPairs compares every pair with the sorted count on one
// task's validation scores: about 1,200 is a canonical train's largest
// task, 24,000 one deployment's ratings at 20x that data.
func BenchmarkOrderedPairs(b *testing.B) {
	for _, n := range []int{1200, 4800, 24000} {
		xs := randomScored(rand.New(rand.NewPCG(1, 1)), n, 1000)
		b.Run(fmt.Sprintf("every-pair/n=%d", n), func(b *testing.B) {
			for range b.N {
				orderedPairsEach(xs)
			}
		})
		b.Run(fmt.Sprintf("sorted/n=%d", n), func(b *testing.B) {
			for range b.N {
				orderedPairsSorted(xs)
			}
		})
	}
}
