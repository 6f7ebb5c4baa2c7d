package eval

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// topicMeans is an in-domain router that predicts each candidate's mean
// score over the train rows of the same topic, and records what it was
// given so a test can check that no row was predicted from its own label.
type topicMeans struct {
	fits      int
	predicted map[int]int
	overlap   bool
}

func topicOf(t *Table, i int) string {
	for _, w := range []string{"algebra", "history", "riddle"} {
		if strings.Contains(t.Rows[i].Item.Prompt, w) {
			return w
		}
	}
	return ""
}

func (m *topicMeans) FitPredict(t *Table, train, test []int, est Estimates) error {
	m.fits++
	sum, n := map[string][]float64{}, map[string]float64{}
	for _, i := range train {
		k := topicOf(t, i)
		if sum[k] == nil {
			sum[k] = make([]float64, len(t.Candidates))
		}
		for j := range t.Candidates {
			sum[k][j] += t.Rows[i].Score[j]
		}
		n[k]++
	}
	for _, i := range test {
		m.overlap = m.overlap || slices.Contains(train, i)
		m.predicted[i]++
		k := topicOf(t, i)
		q := make([]float64, len(t.Candidates))
		for j := range q {
			q[j] = sum[k][j] / n[k]
		}
		est.Quality[i], est.Cost[i] = q, slices.Clone(t.Rows[i].Cost)
	}
	return nil
}

func TestFittedProfilesAreCrossFittedLikeKNN(t *testing.T) {
	fitted := &topicMeans{predicted: map[int]int{}}
	rep := toyRun(t, constant, Options{Fitted: fitted, Folds: 4})
	assert.Equal(t, 4, fitted.fits, "one fit per fold")
	assert.False(t, fitted.overlap, "no row is predicted by a fit that saw its label")
	assert.Len(t, fitted.predicted, rep.Prompts)
	for i, n := range fitted.predicted {
		assert.Equal(t, 1, n, "row %d predicted once", i)
	}

	res, ok := rep.Baselines[BaselineFitted]
	require.True(t, ok)
	require.NotNil(t, res.APGR)
	assert.InDelta(t, *rep.Baselines[BaselineOracle].APGR, *res.APGR, 0.02, "topic means route like the oracle on the toy data")
	assert.InDelta(t, 0.5, *rep.Router.APGR, 1e-9, "the router row is still the router model's")
	require.NotNil(t, res.VsBestSingle)
	assert.Contains(t, rep.BaselineNames(), BaselineFitted)

	var text strings.Builder
	require.NoError(t, rep.WriteText(&text))
	assert.Contains(t, text.String(), "fitted_profiles vs best single")
}

func TestFittedProfilesOnAHoldoutFitOnTheRest(t *testing.T) {
	fitted := &topicMeans{predicted: map[int]int{}}
	tb, err := BuildTable(toyDataset(400, 0.1, 3), nil, nil)
	require.NoError(t, err)
	// Every third prompt is held out (ids are "toy/<n>").
	holdout := func(it *dataset.Item) bool {
		n, err := strconv.Atoi(strings.TrimPrefix(it.ID, "toy/"))
		require.NoError(t, err)
		return n%3 == 0
	}
	rep, err := Run(context.Background(), tb, predictor(constant), Options{Fitted: fitted, Holdout: holdout})
	require.NoError(t, err)
	assert.Equal(t, 1, fitted.fits)
	assert.False(t, fitted.overlap)
	assert.Len(t, fitted.predicted, rep.Prompts)
	for i := range fitted.predicted {
		assert.True(t, holdout(tb.Rows[i].Item), "row %d is not in the holdout", i)
	}
	assert.Contains(t, rep.Baselines, BaselineFitted)
}

func TestNoFittedProfilesUnlessAsked(t *testing.T) {
	rep := toyRun(t, constant, Options{})
	assert.NotContains(t, rep.Baselines, BaselineFitted)
	assert.NotContains(t, rep.BaselineNames(), BaselineFitted)
}
