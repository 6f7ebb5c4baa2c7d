package router_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A quality is a probability and an answer length is not negative: a
// broken router model's number outside that range is no prediction the
// modes can weigh, as a NaN is not. A negative length makes a negative
// expected cost, which would win every Cost and Balanced decision it is
// in the band of; a negative quality would sit below a q* of 0 that no
// candidate has, and a quality above 1 would set a band no real model
// reaches.
func TestAnOutOfRangePredictionIsExcludedNotWeighed(t *testing.T) {
	tests := []struct {
		name string
		a    router.Estimate
		mode router.Mode
		why  string
	}{
		{"negative answer length wins on cost", router.Estimate{Quality: 0.90, OutputTokens: -1e6}, router.ModeCost,
			"excluded: predicted output tokens -1e+06 are below 0"},
		{"quality above 1 sets the band", router.Estimate{Quality: 1.5, OutputTokens: 100}, router.ModeBalanced,
			"excluded: predicted quality 1.5 is not a probability in [0, 1]"},
		{"negative quality", router.Estimate{Quality: -0.1, OutputTokens: 100}, router.ModeQuality,
			"excluded: predicted quality -0.1 is not a probability in [0, 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// a is the cheapest; b and c are in range, c in the band of b.
			r := logicRouter(t, router.Prediction{"p-a": tc.a, "p-b": {Quality: 0.90, OutputTokens: 100}, "p-c": {Quality: 0.88, OutputTokens: 100}},
				logicModel("a", 0.1, 0.1), logicModel("b", 10, 10), logicModel("c", 1, 1))
			d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: tc.mode}, router.Request{})
			require.NoError(t, err)
			a := candidate(t, d, "a")
			assert.False(t, a.Eligible, "a is weighed: rank %d, %q", a.Rank, a.Reason)
			assert.Equal(t, tc.why, a.Reason)
			assert.NotContains(t, order(d), "a", "a is in the failover order")
			assert.Equal(t, 0.90, d.BestQuality, "q* is the best quality in range")
			want := map[router.Mode]string{router.ModeQuality: "b", router.ModeBalanced: "c", router.ModeCost: "c"}[tc.mode]
			assert.Equal(t, want, d.ChosenID)
		})
	}
}

// A router model whose every number is out of range gives no usable
// prediction: 503 router_model_unavailable, as for NaN, not a choice
// explained by a band that no candidate reaches.
func TestEveryPredictionOutOfRangeIsTheRouterModelsFault(t *testing.T) {
	r := logicRouter(t, router.Prediction{"p-a": {Quality: -0.2, OutputTokens: 100}, "p-b": {Quality: -0.1, OutputTokens: 100}},
		logicModel("a", 1, 1), logicModel("b", 10, 10))
	_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.Error(t, err)
	assert.Equal(t, router.ERouterModelUnavailable, router.ErrorCode(err), err.Error())
	assert.True(t, strings.Contains(err.Error(), "not a probability in [0, 1]"), err.Error())
}

// Pick, which eval and calibration use, passes over what Decide excludes,
// and picks nothing when nothing is left, as Decide refuses.
func TestPickPassesOverOutOfRangeNumbers(t *testing.T) {
	assert.Equal(t, 1, router.Pick([]float64{1.5, 0.9, 0.88}, []float64{0.1, 10, 1}, 0), "quality above 1")
	assert.Equal(t, 2, router.Pick([]float64{0.9, 0.9, 0.88}, []float64{-10, 10, 1}, 0.03), "negative cost")
	assert.Equal(t, -1, router.Pick([]float64{-0.2, -0.1}, []float64{1, 10}, 0.03), "no quality in range")
}
