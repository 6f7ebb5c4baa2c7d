package calibrate

import (
	"math/rand/v2"
	"testing"

	"github.com/modelrouter/modelrouter/router"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evaluate is the band rule written out prompt by prompt (router.Pick:
// q* is the best predicted quality; the candidate with q >= (1-b)·q* that
// is cheapest by predicted cost is chosen, and costs its true cost), the
// reference Sweep must match.
func evaluate(prompts []Prompt, b float64) BandResult {
	var best, chosen, bestCost, chosenCost float64
	n := 0
	for _, pr := range prompts {
		if len(pr) == 0 {
			continue
		}
		q, cost := make([]float64, len(pr)), make([]float64, len(pr))
		for i, c := range pr {
			q[i], cost[i] = c.Predicted, c.PredictedCost
		}
		bi := router.Pick(q, cost, 0)
		ci := router.Pick(q, cost, b)
		best += pr[bi].Score
		chosen += pr[ci].Score
		bestCost += pr[bi].Cost
		chosenCost += pr[ci].Cost
		n++
	}
	r := BandResult{Band: b}
	if n == 0 {
		return r
	}
	if best > 0 {
		r.Loss = (best - chosen) / best
	}
	if bestCost > 0 {
		r.CostShare = chosenCost / bestCost
	}
	r.Quality = chosen / float64(n)
	return r
}

func randomPrompts(rng *rand.Rand, n int) []Prompt {
	var ps []Prompt
	for range n {
		var p Prompt
		for range 1 + rng.IntN(5) {
			p = append(p, Candidate{Predicted: rng.Float64(), Score: float64(rng.IntN(2)), Cost: rng.Float64() * 10, PredictedCost: rng.Float64() * 10})
		}
		ps = append(ps, p)
	}
	return ps
}

func TestSweepIsEvaluateAtEveryBand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b := randomPrompts(rng, 300), randomPrompts(rng, 200)
	grid := Grid(0.05, 0.5)
	sa, sb := NewSweep(a, grid), NewSweep(b, grid)
	both := NewSweep(append(append([]Prompt{}, a...), b...), grid)
	for g, band := range grid {
		want := evaluate(a, band)
		got := sa.At(g)
		assert.InDelta(t, want.Loss, got.Loss, 1e-12)
		assert.InDelta(t, want.CostShare, got.CostShare, 1e-12)
		assert.InDelta(t, want.Quality, got.Quality, 1e-12)
		assert.Equal(t, band, got.Band)

		plus := sa.Plus(sb).At(g)
		assert.InDelta(t, both.At(g).Loss, plus.Loss, 1e-12, "a sweep of two sets is the sum of theirs")
		assert.InDelta(t, both.At(g).CostShare, plus.CostShare, 1e-12)
		minus := both.Minus(sb).At(g)
		assert.InDelta(t, want.Loss, minus.Loss, 1e-9, "and taking one set out leaves the other")
		assert.InDelta(t, want.Quality, minus.Quality, 1e-9)
	}
	assert.Equal(t, 500, both.Prompts())
	assert.Equal(t, 300, both.Minus(sb).Prompts())
}

// A band has to keep the limit on every set: prompts where the weak model
// is always right would accept any band, the ten prompts where it fails
// once only bands below 1/9.
func TestChooseOnKeepsTheLimitOnEverySet(t *testing.T) {
	var easy []Prompt
	for range 50 {
		easy = append(easy, Prompt{{Predicted: 0.9, Score: 1, Cost: 10}, {Predicted: 0.8, Score: 1, Cost: 1}})
	}
	grid := []float64{0, 0.05, 0.1, 0.15, 0.2}
	se, sh := NewSweep(easy, grid), NewSweep(bandPrompts(), grid)
	g, err := ChooseOn([]Sweep{se}, 0.06)
	require.NoError(t, err)
	assert.Equal(t, 0.2, grid[g])
	g, err = ChooseOn([]Sweep{se, sh}, 0.06)
	require.NoError(t, err)
	assert.Equal(t, 0.1, grid[g])
	g, err = ChooseOn([]Sweep{se, NewSweep(nil, grid)}, 0.06)
	require.NoError(t, err)
	assert.Equal(t, 0.2, grid[g], "a set without prompts does not count")
	_, err = ChooseOn(nil, 0.06)
	assert.Error(t, err)
}
