package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `route --models`, `deployments put --models` and a request's
// routing_config.models take a catalog model by its name (gpt-4.1) as well as
// its ID (gpt-4.1-2025-04-14). `simulate --models` is the same subset for a
// prompt file, so the command line that works for `route` works for it.
func TestSimulateTakesModelsByNameAsRouteDoes(t *testing.T) {
	prompts := writeFile(t, "prompts.txt", "Write a haiku about rain.\nWhat is 2+2?\n")
	_, _, err := runCmd(t, "route", "--models", "gpt-4.1,gpt-4.1-nano", "--mode", "cost", "Write a haiku about rain.")
	require.NoError(t, err, "route takes catalog names")

	_, _, err = runCmd(t, "simulate", "--prompts", prompts, "--models", "gpt-4.1,gpt-4.1-nano", "--modes", "cost", "--out", t.TempDir())
	assert.NoError(t, err)
}
