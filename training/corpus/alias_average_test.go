package corpus

import (
	"fmt"
	"math"
	"testing"

	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/stretchr/testify/require"
)

// Three dataset ids of one profile on one prompt (one model through three
// providers) are averaged in name order: the label and the price are the
// same, bit for bit, on every Build.
func TestAliasAveragingIsDeterministic(t *testing.T) {
	d := &dataset.Dataset{Name: "zeroeval-math", Models: map[string]dataset.Price{
		"Meta-Llama-3.1-70B-Instruct":            {Input: 0.1, Output: 0.1},
		"Meta-Llama-3.1-70B-Instruct@hyperbolic": {Input: 0.2, Output: 0.2},
		"Meta-Llama-3.1-70B-Instruct@sambanova":  {Input: 0.3, Output: 0.3},
		"gpt-4o-2024-08-06":                      {Input: 2.5, Output: 10},
	}, Items: []dataset.Item{{ID: "m/1", Prompt: "1+1?", InputTokens: 4, Results: map[string]dataset.Result{
		"Meta-Llama-3.1-70B-Instruct":            {Score: f(0.1)},
		"Meta-Llama-3.1-70B-Instruct@hyperbolic": {Score: f(0.2)},
		"Meta-Llama-3.1-70B-Instruct@sambanova":  {Score: f(0.3)},
		"gpt-4o-2024-08-06":                      {Score: f(1)},
	}}}}
	seen := map[string]bool{}
	for range 200 {
		c, err := Build([]*dataset.Dataset{d})
		require.NoError(t, err)
		l := c.Examples[0].Labels[1] // llama-3.1-70b-instruct
		seen[fmt.Sprintf("%x %x", math.Float64bits(l.Score), math.Float64bits(l.InputPrice))] = true
	}
	require.Len(t, seen, 1, "one Build input gave %d different (score, price) bit patterns: %v", len(seen), seen)
}
