package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Over a folder, a dataset skipped for want of profiles names the models
// without one and the closest profiles by name, as the error for that
// dataset alone does: "give them one with --map" left the user to find
// out which model to write on the left of the "=".
func TestEvalSkipForWantOfProfilesNamesTheModels(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := t.TempDir()
	writeEvalDataset(t, root, "a", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "b", map[string][2]float64{
		"gpt-4-1106-preview": {10, 30}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", root}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stderr.String(), "b: skipped, fewer than 2 of its labelled models have a router-model profile; no profile for gpt-4-1106-preview (closest by name: gpt-4-0314, gpt-4-turbo-2024-04-09)")
}
