package router_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// When every model that could serve the request is left out because the
// router model gave it no usable prediction (no profile for it, or a
// number that is not finite), the request is not at fault: the error is
// the router model's, not no_eligible. Models the request itself rules
// out do not change that, as the ones it allows would have served it.
func TestARouterModelWithNoUsablePredictionIsNotTheRequestsFault(t *testing.T) {
	weak := logicModel("weak", 0.1, 0.4)
	weak.Capabilities = router.Capabilities{}
	for _, tt := range []struct {
		name  string
		pred  router.Prediction
		needs router.Needs
		why   string
	}{
		{name: "non-finite predictions", pred: router.Prediction{
			"p-a": {Quality: math.NaN(), OutputTokens: 100}, "p-b": {Quality: 0.9, OutputTokens: math.Inf(1)},
			"p-weak": {Quality: math.NaN(), OutputTokens: 100},
		}, why: "not a finite number"},
		{name: "no profile for any model", pred: router.Prediction{"p-other": {Quality: 0.9, OutputTokens: 100}},
			why: "has no profile"},
		{name: "the rest left out by the request", pred: router.Prediction{
			"p-a": {Quality: math.NaN(), OutputTokens: 100}, "p-weak": {Quality: 0.9, OutputTokens: 100},
		}, needs: router.Needs{Tools: true}, why: "not a finite number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := logicRouter(t, tt.pred, logicModel("a", 1, 4), logicModel("b", 2, 8), weak)
			_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{Prompt: "x", Needs: tt.needs})
			require.Error(t, err)
			assert.Equal(t, router.ERouterModelUnavailable, router.ErrorCode(err))
			assert.Contains(t, err.Error(), tt.why)
			var re *router.Error
			require.ErrorAs(t, err, &re)
			assert.Len(t, re.Detail, 3, "every candidate's reason")
		})
	}
}
