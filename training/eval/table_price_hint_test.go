package eval

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/training/dataset"
)

// An unpriced candidate's error gives, besides adding its price, the
// --candidates that leaves it out: the candidates eval was given (or its
// default ones) less every unpriced one, ready to paste. It said only
// "leave the model out with --candidates", whichever list the user had
// given.
func TestBuildTableGivesTheCandidatesWithoutAnUnpricedOne(t *testing.T) {
	d := labelsDataset()
	d.Items[1].Results["claude-y"] = dataset.Result{Score: ptr(1), OutputTokens: ptr(40)}
	d.Items[1].Results["gemini-z"] = dataset.Result{Score: ptr(0), OutputTokens: ptr(60)}
	d.Models["claude-y"] = dataset.Price{Input: 3, Output: 15}
	delete(d.Models, "gpt-x") // labelled, now unpriced

	for _, tc := range []struct {
		names    []string
		unpriced string
		want     string
	}{
		// the user's list, in the user's order, less gpt-x
		{[]string{"claude-y", "gpt-x", "Meta-Llama-3_1-70B-Instruct"}, "gpt-x", "--candidates claude-y,Meta-Llama-3_1-70B-Instruct"},
		// the default (every labelled model) less every unpriced one,
		// gemini-z (unpriced: no entry in models.json) and gpt-x
		{nil, "gemini-z", "--candidates Meta-Llama-3_1-70B-Instruct,claude-y"},
	} {
		_, err := BuildTable(d, tc.names, nil)
		require.Error(t, err)
		assert.ErrorContains(t, err, `candidate "`+tc.unpriced+`" has quality labels but no price in dataset d`)
		assert.ErrorContains(t, err, "add its prices to")
		assert.ErrorContains(t, err, "or leave out the candidates without a price: "+tc.want, "names %v", tc.names)
	}

	// Leaving it out leaves one candidate, nothing to route between: only
	// the price helps, so no --candidates is offered.
	_, err := BuildTable(d, []string{"gpt-x", "claude-y"}, nil)
	require.Error(t, err)
	assert.ErrorContains(t, err, "add its prices to")
	assert.NotContains(t, err.Error(), "--candidates")
}
