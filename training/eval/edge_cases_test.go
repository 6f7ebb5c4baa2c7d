package eval

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
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
