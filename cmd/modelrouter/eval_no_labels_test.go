package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// A dataset with no quality label at all (an empty items.jsonl, or one
// whose results hold no score) has nothing to evaluate, whatever the
// candidates: the message says so, rather than "fewer than 2 of its
// labelled models () have a router-model profile" with advice to name
// candidates and map them.
func TestEvalSaysADatasetWithoutQualityLabelsHasNothingToEvaluate(t *testing.T) {
	classifiertest.RequireRuntime(t)
	prices := map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}
	empty := writeEvalDataset(t, t.TempDir(), "empty", prices, 0, gptAlwaysRight)
	lengthsOnly := writeEvalDataset(t, t.TempDir(), "lengths", prices, 3, gptAlwaysRight)
	require.NoError(t, os.WriteFile(filepath.Join(lengthsOnly, "items.jsonl"),
		[]byte(`{"id": "l/1", "prompt": "hi", "results": {"gpt-4o-2024-05-13": {"score": null, "output_tokens": 12}}}`+"\n"), 0o644))
	for dir, prompts := range map[string]string{empty: "none of its 0 prompts has a quality label", lengthsOnly: "its 1 prompt has no quality label"} {
		for _, extra := range [][]string{nil, {"--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-instruct-v0.1"}} {
			_, _, err := runCmd(t, append([]string{"eval", "--data", dir}, extra...)...)
			assert.ErrorContains(t, err, prompts+" (a score in results): nothing to evaluate", "%s %q", dir, extra)
		}
	}
}
