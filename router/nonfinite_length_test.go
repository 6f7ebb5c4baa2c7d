package router_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// An infinite predicted answer length (an overflowing length head)
// excludes the model even when the request's max_tokens caps its expected
// cost to a finite number: the decision reports predicted_output_tokens,
// and POST /v1/route's answer must encode as JSON.
func TestInfiniteOutputTokensUnderMaxTokensAreExcluded(t *testing.T) {
	r := logicRouter(t, router.Prediction{
		"p-a": {Quality: 0.90, OutputTokens: math.Inf(1)},
		"p-b": {Quality: 0.90, OutputTokens: 100},
	}, logicModel("a", 1, 1), logicModel("b", 10, 10))

	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"},
		router.Request{Needs: router.Needs{MaxOutputTokens: 200}})
	require.NoError(t, err)
	for _, c := range d.Candidates {
		if c.Eligible {
			assert.False(t, math.IsInf(c.OutputTokens, 0) || math.IsNaN(c.OutputTokens),
				"candidate %s is eligible (rank %d, %q) with non-finite predicted output tokens %v", c.Model, c.Rank, c.Reason, c.OutputTokens)
		}
	}
	_, err = json.Marshal(d)
	assert.NoError(t, err, "the /v1/route answer for this decision cannot be encoded")
}
