package eval

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVsBestSingleReadsTheCurvesOwnPoints(t *testing.T) {
	singles := []Point{{Quality: 0.5, Cost: 0.1}, {Quality: 0.9, Cost: 1.0}, {Quality: 0.9, Cost: 2.0}}
	b := bestSingle(singles)
	require.Equal(t, 1, b, "the better model, and of two equal ones the cheaper")
	curve := []Point{{Quality: 0.92, Cost: 0.6}, {Quality: 0.9, Cost: 0.8}, {Quality: 0.7, Cost: 0.3}, {Quality: 0.6, Cost: 0.5}, {Quality: 0.5, Cost: 0.1}}
	v := vsBestSingle(curve, "m", singles[b])
	require.NotNil(t, v.CostShareToMatch)
	assert.InDelta(t, 0.6, *v.CostShareToMatch, 1e-12, "the cheapest point at or above 0.9")
	require.NotNil(t, v.QualityAtHalfCost)
	assert.InDelta(t, 0.7, *v.QualityAtHalfCost, 1e-12, "the best point costing at most 0.5")

	// A curve below the best single's quality and above half its cost has
	// neither number.
	v = vsBestSingle([]Point{{Quality: 0.8, Cost: 0.9}}, "m", singles[b])
	assert.Nil(t, v.CostShareToMatch)
	assert.Nil(t, v.QualityAtHalfCost)
	assert.Equal(t, "router vs best single (m, 0.900 at $1000.0000 per 1k prompts): never matches it, nothing costs half as much",
		vsBestSingleLine("router", v))
}

// On the toy data the strong model is the best single model (0.902, $7
// per 1k prompts); a router that knows which prompts need it reaches 1.0
// for well under half its cost, one that has them backwards never reaches
// 0.902.
func TestRunComparesTheRouterWithTheBestSingleModel(t *testing.T) {
	rep := toyRun(t, perfect, Options{})
	v := rep.Router.VsBestSingle
	require.NotNil(t, v)
	assert.Equal(t, "Strong-Model", v.Model)
	strong := rep.Baselines[singlePrefix+"Strong-Model"].Curve[0]
	assert.Equal(t, strong.Quality, v.Quality)
	require.NotNil(t, v.CostShareToMatch)
	assert.Less(t, *v.CostShareToMatch, 0.5)
	require.NotNil(t, v.QualityAtHalfCost)
	assert.InDelta(t, 1.0, *v.QualityAtHalfCost, 1e-12)
	require.NotNil(t, rep.Baselines[BaselineOracle].VsBestSingle)
	assert.Nil(t, rep.Baselines[BaselineRandom].VsBestSingle, "only the router, knn and the oracle")

	var text bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	head := fmt.Sprintf("router vs best single (Strong-Model, %.3f at $7.0000 per 1k prompts): ", v.Quality)
	assert.Contains(t, text.String(), head+fmt.Sprintf("matches it at %.0f%% of its cost, reaches 1.000 at half its cost", 100**v.CostShareToMatch))

	backwards := toyRun(t, inverted, Options{})
	assert.Nil(t, backwards.Router.VsBestSingle.CostShareToMatch)
	var md bytes.Buffer
	require.NoError(t, backwards.WriteMarkdown(&md))
	assert.Contains(t, md.String(), "- "+head+"never matches it")
}
