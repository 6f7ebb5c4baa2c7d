package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// Two candidates with the same mean true quality: APGR is undefined (x %
// of a zero gap), and so are CPT(50%) and CPT(80%), for every router and
// baseline, random included.
func TestCPTUndefinedWithoutAGapLikeAPGR(t *testing.T) {
	tb := toyTable([]float64{1, 0, 1, 0}, []float64{0, 1, 0, 1})
	p := &routertest.Predictor{PredictFn: func(string) router.Prediction {
		return router.Prediction{"s": {Quality: 0.8, OutputTokens: 10}, "w": {Quality: 0.6, OutputTokens: 10}}
	}}
	rep, err := Run(context.Background(), tb, p, Options{})
	require.NoError(t, err)
	for name, res := range map[string]Result{"router": rep.Router, "random": rep.Baselines[BaselineRandom], "oracle": rep.Baselines[BaselineOracle]} {
		assert.Nil(t, res.APGR, "%s: APGR undefined when the gap is 0", name)
		assert.Nil(t, res.CPT50, "%s: CPT(50%%) of a zero gap is reported as %v", name, deref(res.CPT50))
		assert.Nil(t, res.CPT80, "%s: CPT(80%%) of a zero gap is reported as %v", name, deref(res.CPT80))
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// A best single model that costs nothing (a free self-hosted model in the
// dataset's prices): a curve point reaching its quality at no cost matches
// it at the same cost, share 1.
func TestVsBestSingleWithAFreeBestModel(t *testing.T) {
	best := Point{Quality: 0.75, Cost: 0}
	curve := []Point{{Threshold: 0, Quality: 0.75, Cost: 0}, {Threshold: 1, Quality: 0.5, Cost: 0}}
	v := vsBestSingle(curve, "free-model", best)
	line := vsBestSingleLine("router", v)
	assert.NotContains(t, line, "never matches it", line)
	require.NotNil(t, v.CostShareToMatch)
	assert.Equal(t, 1.0, *v.CostShareToMatch)
	require.NotNil(t, v.QualityAtHalfCost)
	assert.Equal(t, 0.75, *v.QualityAtHalfCost)

	// Reaching its quality only at a cost above nothing is no match.
	v = vsBestSingle([]Point{{Quality: 0.8, Cost: 1e-6}, {Quality: 0.5, Cost: 0}}, "free-model", best)
	assert.Nil(t, v.CostShareToMatch)
	assert.Contains(t, vsBestSingleLine("router", v), "never matches it")
}

// End to end on a dataset with zero prices: the oracle reaches quality 1
// against the best single model's lower quality, all at no cost, and so
// matches it.
func TestRunOracleMatchesAFreeBestSingle(t *testing.T) {
	d := toyDataset(200, 0.1, 3)
	for m := range d.Models {
		d.Models[m] = dataset.Price{}
	}
	tb, err := BuildTable(d, nil, nil)
	require.NoError(t, err)
	rep, err := Run(context.Background(), tb, predictor(perfect), Options{})
	require.NoError(t, err)
	oracle := rep.Baselines[BaselineOracle]
	require.Greater(t, oracle.Modes["quality"].Quality, oracle.VsBestSingle.Quality)
	require.NotNil(t, oracle.VsBestSingle.CostShareToMatch)
	seen := false
	for _, l := range rep.vsBestSingleLines() {
		if strings.HasPrefix(l, "oracle") {
			seen = true
			assert.NotContains(t, l, "never matches it", l)
		}
	}
	assert.True(t, seen, "an oracle line")
}
