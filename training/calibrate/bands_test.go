package calibrate

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ten prompts: a strong model (predicted 0.9, always right, cost 10) and a
// weak one (predicted 0.8, cost 1) that is wrong on one prompt. Taking the
// weak model everywhere loses 10 % of the quality for a tenth of the cost;
// it becomes eligible once (1-b)·0.9 <= 0.8, i.e. b >= 1/9.
func bandPrompts() []Prompt {
	var ps []Prompt
	for i := range 10 {
		weak := 1.0
		if i == 0 {
			weak = 0
		}
		ps = append(ps, Prompt{{Predicted: 0.9, Score: 1, Cost: 10, PredictedCost: 10}, {Predicted: 0.8, Score: weak, Cost: 1, PredictedCost: 1}})
	}
	return ps
}

func TestEvaluateBand(t *testing.T) {
	s := NewSweep(bandPrompts(), []float64{0.1, 0.12})
	r := s.At(0)
	assert.InDelta(t, 0, r.Loss, 1e-12)
	assert.InDelta(t, 1, r.CostShare, 1e-12)
	r = s.At(1)
	assert.InDelta(t, 0.1, r.Loss, 1e-12)
	assert.InDelta(t, 0.1, r.CostShare, 1e-12)
	assert.InDelta(t, 0.9, r.Quality, 1e-12)
}

func TestChooseBandKeepsTheLossLimit(t *testing.T) {
	grid := []float64{0, 0.05, 0.1, 0.15, 0.2}
	r, err := ChooseBand(bandPrompts(), grid, 0.06)
	require.NoError(t, err)
	assert.Equal(t, 0.1, r.Band, "the weak model would lose 10 %% > 6 %%")
	assert.LessOrEqual(t, r.Loss, 0.06)

	r, err = ChooseBand(bandPrompts(), grid, 0.10)
	require.NoError(t, err)
	assert.Equal(t, 0.2, r.Band)
	assert.InDelta(t, 0.1, r.CostShare, 1e-12)

	_, err = ChooseBand(bandPrompts(), nil, 0.1)
	require.Error(t, err)
}

// The gateway picks inside the band by the cost it predicts, before the
// answer's length is known; a band is judged by what those picks really
// cost. Here the model predicted cheaper writes answers long enough to cost
// more than the other's, so opening the band raises the true cost.
func TestBandPicksByPredictedCostAndCountsTheTrueCost(t *testing.T) {
	var ps []Prompt
	for range 10 {
		ps = append(ps, Prompt{
			{Predicted: 0.9, Score: 1, Cost: 4, PredictedCost: 5},
			{Predicted: 0.85, Score: 1, Cost: 8, PredictedCost: 2},
		})
	}
	s := NewSweep(ps, []float64{0, 0.1})
	assert.InDelta(t, 1, s.At(0).CostShare, 1e-12)
	assert.InDelta(t, 2, s.At(1).CostShare, 1e-12, "the pick predicted at 2 really costs 8 against the best's 4")
}

func TestGrid(t *testing.T) {
	assert.Equal(t, []float64{0, 0.005, 0.01, 0.015}, Grid(0.005, 0.015))
}
