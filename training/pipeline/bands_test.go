package pipeline

import (
	"io"
	"testing"

	"github.com/modelrouter/modelrouter/training/calibrate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// n prompts with a strong model (predicted 0.9, cost 10, always right) and
// a weak one (predicted 0.8, cost 1), which is wrong on the first `wrong`.
// The weak model is eligible from band 1/9 on.
func twoModelPrompts(n, wrong int) []calibrate.Prompt {
	var ps []calibrate.Prompt
	for i := range n {
		weak := 1.0
		if i < wrong {
			weak = 0
		}
		ps = append(ps, calibrate.Prompt{{Predicted: 0.9, Score: 1, Cost: 10, PredictedCost: 10}, {Predicted: 0.8, Score: weak, Cost: 1, PredictedCost: 1}})
	}
	return ps
}

// Validation would take any band; one unseen task shows the weak model
// failing, so the bands stop below it. The cross-fit result puts each
// task under the bands chosen without it: the failing task under the
// wide band validation and the easy task allow.
func TestBandsKeepTheirLimitsOnUnseenTasks(t *testing.T) {
	m := Metrics{Bands: Bands{MaxLossBalanced: 0.02, MaxLossCost: 0.06, ChosenOn: chosenOnValidation},
		LeaveOneTaskOut: []LeaveOneTaskOut{{Task: "hard"}, {Task: "easy"}}}
	val := twoModelPrompts(50, 0)
	tasks := [][]calibrate.Prompt{twoModelPrompts(10, 1), twoModelPrompts(10, 0)}
	require.NoError(t, chooseBandsWithUnseen(&m, val, tasks, io.Discard))

	assert.Equal(t, chosenOnUnseen, m.Bands.ChosenOn)
	assert.Equal(t, 0.11, m.Bands.Balanced.Band, "the largest band before the weak model, which loses 5 % of the unseen quality")
	assert.Equal(t, 0.5, m.Bands.Cost.Band, "5 % is within Cost's 6 %")
	assert.Equal(t, 1.0, m.Bands.Balanced.CostShare, "validation: still the strong model everywhere")
	u := m.UnseenBands
	require.NotNil(t, u)
	assert.Equal(t, 20, u.Prompts)
	assert.Zero(t, u.Balanced.Loss)
	assert.InDelta(t, 0.05, u.CrossFitBalanced.Loss, 1e-9, "the hard task under the band chosen without it (0.5) loses 1 of 20")
	assert.InDelta(t, (0.5*10+0.11*10)/20, u.CrossFitBalanced.Band, 1e-9)
	assert.InDelta(t, 0.55, u.CrossFitBalanced.CostShare, 1e-9, "the hard task at a tenth of the cost, the easy one at full")
	assert.Equal(t, 0.11, m.LeaveOneTaskOut[0].Balanced.Band)
	assert.Zero(t, m.LeaveOneTaskOut[0].Balanced.Loss)
	assert.Zero(t, m.Bands.TargetBalanced, "no lower target keeps the hard task's surprise out of the cross-fit")
	assert.InDelta(t, 0.05, u.NestedBalanced.Loss, 1e-9)
}

// tieredPrompts are 100 prompts with a strong model (predicted 0.9,
// cost 10, always right) and a weak one, predicted 0.85 on the first 50
// (eligible from band 0.0556 on) and 0.8 on the rest (from 0.111 on),
// wrong on nearWrong of the first and farWrong of the rest.
func tieredPrompts(nearWrong, farWrong int) []calibrate.Prompt {
	var ps []calibrate.Prompt
	for i := range 100 {
		pred, score := 0.85, 1.0
		if i >= 50 {
			pred = 0.8
		}
		if (i < 50 && i < nearWrong) || (i >= 50 && i-50 < farWrong) {
			score = 0
		}
		ps = append(ps, calibrate.Prompt{{Predicted: 0.9, Score: 1, Cost: 10, PredictedCost: 10}, {Predicted: pred, Score: score, Cost: 1, PredictedCost: 1}})
	}
	return ps
}

// With the limit as the target, task B, whose weak model fails only in
// the wide band, is put under the wide band that A and C allow (1 %
// loss) and loses 6 %: pooled 8 of 300 prompts, above 2 %. Any target
// under 1 % keeps B under the narrow band without it, so the target is
// 0.9 %, and the shipped band stops before the far weak model. Nested,
// each task under the target and band chosen without it: A loses 2 (its
// near failures), B 6 (A and C alone cannot warn of it), C none.
func TestBandTargetGoesDownUntilTheCrossFitKeepsTheLimit(t *testing.T) {
	m := Metrics{Bands: Bands{MaxLossBalanced: 0.02, MaxLossCost: 0.06},
		LeaveOneTaskOut: []LeaveOneTaskOut{{Task: "A"}, {Task: "B"}, {Task: "C"}}}
	tasks := [][]calibrate.Prompt{tieredPrompts(2, 0), tieredPrompts(0, 6), tieredPrompts(0, 0)}
	require.NoError(t, chooseBandsWithUnseen(&m, twoModelPrompts(50, 0), tasks, io.Discard))

	assert.InDelta(t, 0.009, m.Bands.TargetBalanced, 1e-12)
	assert.Equal(t, 0.11, m.Bands.Balanced.Band, "the largest band below the far weak model (0.111)")
	u := m.UnseenBands
	assert.InDelta(t, 2.0/300, u.CrossFitBalanced.Loss, 1e-4, "A under the narrow band, B and C under the smallest")
	assert.InDelta(t, 8.0/300, u.NestedBalanced.Loss, 1e-4)
	assert.Equal(t, 0.06, m.Bands.TargetCost, "cross-fit at Cost's limit: A 2 + B 6 + C 0 of 300, within 6 %")
	assert.Equal(t, 0.5, m.Bands.Cost.Band)
}

// Without leave-one-task-out results the validation bands stay.
func TestBandsWithoutUnseenTasksStayAsChosen(t *testing.T) {
	m := Metrics{Bands: Bands{Balanced: calibrate.BandResult{Band: 0.3}, MaxLossBalanced: 0.02, MaxLossCost: 0.06, ChosenOn: chosenOnValidation}}
	require.NoError(t, chooseBandsWithUnseen(&m, twoModelPrompts(5, 0), nil, io.Discard))
	assert.Equal(t, 0.3, m.Bands.Balanced.Band)
	assert.Equal(t, chosenOnValidation, m.Bands.ChosenOn)
	assert.Nil(t, m.UnseenBands)
}
