package newprofile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/eval"
)

// twoSpecialists: "calc" (dear) solves sums and few poems, "poet" (cheap)
// writes poems and gets few sums right. Both are mapped to one stand-in,
// so the router model cannot tell them apart; profiles fitted on their
// labels can.
func twoSpecialists(n int) *dataset.Dataset {
	rng := rand.New(rand.NewPCG(7, 8))
	d := &dataset.Dataset{Name: "specialists", Models: map[string]dataset.Price{
		"calc": {Input: 10, Output: 30}, "poet": {Input: 0.5, Output: 1.5}}}
	for i := range n {
		text, calc, poet := sum(i), 0.95, 0.1
		if i%2 == 0 {
			text, calc, poet = poem(i), 0.3, 0.9
		}
		out := 80.0
		d.Items = append(d.Items, dataset.Item{ID: fmt.Sprintf("s/%d", i), Prompt: text, InputTokens: 20,
			Results: map[string]dataset.Result{
				"calc": {Score: ptr(bern(rng, calc)), OutputTokens: &out},
				"poet": {Score: ptr(bern(rng, poet)), OutputTokens: &out},
			}})
	}
	return d
}

func ptr(v float64) *float64 { return &v }

func TestFittedProfilesLearnWhatTheStandInCannotTell(t *testing.T) {
	files, _, _, _ := embedded(t)
	fitted, err := NewFitted(files)
	require.NoError(t, err)
	tb, err := eval.BuildTable(twoSpecialists(600), nil, map[string]string{"calc": anchorProfile, "poet": anchorProfile})
	require.NoError(t, err)
	same := &routertest.Predictor{Fixed: router.Prediction{anchorProfile: {Quality: 0.7, OutputTokens: 80}}}
	rep, err := eval.Run(context.Background(), tb, same, eval.Options{Fitted: fitted, Folds: 5})
	require.NoError(t, err)

	require.Equal(t, "calc", rep.Strong)
	oracle, got := rep.Baselines[eval.BaselineOracle], rep.Baselines[eval.BaselineFitted]
	require.NotNil(t, got.APGR)
	assert.InDelta(t, 0.5, *rep.Router.APGR, 1e-9, "one stand-in for both: no better than random")
	assert.Greater(t, *got.APGR, 0.8**oracle.APGR, "poems to the poet, sums to calc")
	q := got.Modes[router.ModeQuality]
	assert.Greater(t, q.Quality, 0.85)
	assert.InDelta(t, 0.5, q.Share["poet"], 0.1, "the poet gets the poems")
}

func TestFittedProfilesNeedAProfileForEveryCandidate(t *testing.T) {
	files, _, _, _ := embedded(t)
	fitted, err := NewFitted(files)
	require.NoError(t, err)
	tb, err := eval.BuildTable(twoSpecialists(60), nil, map[string]string{"calc": anchorProfile, "poet": "no-such-profile"})
	require.NoError(t, err)
	same := &routertest.Predictor{Fixed: router.Prediction{anchorProfile: {Quality: 0.7}, "no-such-profile": {Quality: 0.7}}}
	_, err = eval.Run(context.Background(), tb, same, eval.Options{Fitted: fitted})
	assert.ErrorContains(t, err, `"poet" maps to profile "no-such-profile"`)
}

// With nothing to learn from (a one-prompt task, every fold's train set
// empty), a row is predicted as the router model predicts it.
func TestFittedProfilesWithNoTrainRowsPredictAsTheRouter(t *testing.T) {
	files, base, tok, card := embedded(t)
	fitted, err := NewFitted(files)
	require.NoError(t, err)
	tb, err := eval.BuildTable(twoSpecialists(1), nil, map[string]string{"calc": anchorProfile, "poet": "mistral-7b-instruct-v0.1"})
	require.NoError(t, err)
	est := eval.Estimates{Quality: make([][]float64, 1), Cost: make([][]float64, 1)}
	require.NoError(t, fitted.FitPredict(tb, nil, []int{0}, est))

	q, _, _ := base.Forward(tok.EncodeTruncated(tb.Rows[0].Item.Text(), card.Truncation.Head, card.Truncation.Tail))
	for j, c := range tb.Candidates {
		m := slices.Index(card.Profiles, c.Profile)
		require.GreaterOrEqual(t, m, 0)
		assert.InDelta(t, float64(q[m]), est.Quality[0][j], 1e-5, c.Name)
		assert.Positive(t, est.Cost[0][j])
	}
}
