package eval

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A router model whose quality is no probability, or whose answer length
// is below 0, is refused by eval naming the prompt, as one that predicts
// NaN is: the gateway's policy (router.Pick) weighs no such candidate,
// so a prompt where every candidate has one would have no choice.
func TestEvalRefusesAnEstimateTheGatewayWouldExclude(t *testing.T) {
	for name, bad := range map[string]router.Estimate{
		"quality above 1": {Quality: 1.5, OutputTokens: 10},
		"quality below 0": {Quality: -0.2, OutputTokens: 10},
		"negative length": {Quality: 0.5, OutputTokens: -10},
	} {
		t.Run(name, func(t *testing.T) {
			tb := toyTable([]float64{1, 0}, []float64{0, 1})
			p := &routertest.Predictor{PredictFn: func(string) router.Prediction {
				return router.Prediction{"s": bad, "w": bad}
			}}
			var err error
			require.NotPanics(t, func() { _, err = Run(context.Background(), tb, p, Options{}) })
			require.Error(t, err)
			assert.Contains(t, err.Error(), `candidate "s" on prompt 0`)
		})
	}
}
