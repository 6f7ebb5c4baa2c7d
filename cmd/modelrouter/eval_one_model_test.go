package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// Rated traffic where every prompt went to one model (what export-feedback
// writes when the gateway sent a kind of prompt to one model) has nothing
// to route between. eval says so, rather than that the model has no
// router-model profile (it has its stand-in) and that --map would help.
func TestEvalOfRatingsOfOneModelSaysItLabelsOneModel(t *testing.T) {
	classifiertest.RequireRuntime(t)
	_, _, err := runCmd(t, "eval", "--data", writeRatedAnswers(t, 20), "--fit-profiles")
	require.Error(t, err)
	assert.ErrorContains(t, err, "it labels only "+gpt5mini)
	assert.NotContains(t, err.Error(), "have a router-model profile")
	assert.NotContains(t, err.Error(), "--map")
}
