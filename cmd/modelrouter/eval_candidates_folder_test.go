package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// RouteLLM's three benchmarks name the weak model two ways (its MT-Bench
// judgments "mixtral-8x7b-instruct-v0.1", its MMLU and GSM8K answers
// "mistralai/Mixtral-8x7B-Instruct-v0.1"), and a folder of held-out sets
// may hold a pool of other models beside them. `eval --data FOLDER
// --candidates ...` stopped at the first dataset that did not label a
// candidate under the name given, after writing the reports before it.
// Now a candidate is found under the dataset's spelling of the same
// profile, and a dataset with no labels for a candidate is skipped with its
// reason, as one with too few profiles is.
func TestEvalCandidatesOverAFolderOfDatasetsThatSpellThemDifferently(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root, out := t.TempDir(), t.TempDir()
	writeEvalDataset(t, root, "a-mtbench", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "b-mmlu", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mistralai/Mixtral-8x7B-Instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	writeEvalDataset(t, root, "c-pool", map[string][2]float64{
		"claude-3-haiku-20240307": {0.25, 1.25}, "llama-3.1-8b-instruct": {0.1, 0.1}}, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", root, "--out", out,
		"--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-instruct-v0.1"}, &stdout, &stderr)
	require.NoError(t, err, stderr.String())

	for name, weak := range map[string]string{"a-mtbench": "mixtral-8x7b-instruct-v0.1", "b-mmlu": "mistralai/Mixtral-8x7B-Instruct-v0.1"} {
		var rep struct {
			Candidates []struct {
				Name    string `json:"name"`
				Profile string `json:"profile"`
			} `json:"candidates"`
			Weak string `json:"weak"`
		}
		require.NoError(t, json.Unmarshal(mustRead(t, filepath.Join(out, name, "report.json")), &rep), name)
		require.Len(t, rep.Candidates, 2, name)
		assert.Equal(t, weak, rep.Weak, "%s: the dataset's own name for the weak model", name)
		for _, c := range rep.Candidates {
			if c.Name == weak {
				assert.Equal(t, "mixtral-8x7b-instruct-v0.1", c.Profile, name)
			}
		}
	}
	assert.Contains(t, stderr.String(), "b-mmlu: candidate mixtral-8x7b-instruct-v0.1 is labelled here as mistralai/Mixtral-8x7B-Instruct-v0.1")
	assert.Contains(t, stderr.String(), "c-pool: skipped, no quality labels for candidate gpt-4o-2024-05-13 or mixtral-8x7b-instruct-v0.1")
	_, err = os.Stat(filepath.Join(out, "c-pool"))
	assert.True(t, os.IsNotExist(err), "no report for the skipped dataset")

	// A folder where no dataset labels the candidates still fails.
	err = runEval(context.Background(), []string{"--data", root, "--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-typo"}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, "no dataset could be evaluated")

	// One dataset: the other spelling is found too; a name that is no
	// spelling of a labelled model is still refused with the models it has.
	stderr.Reset()
	require.NoError(t, runEval(context.Background(), []string{"--data", filepath.Join(root, "b-mmlu"),
		"--candidates", "gpt-4o-2024-05-13,mixtral-8x7b-instruct-v0.1"}, &stdout, &stderr), stderr.String())
	err = runEval(context.Background(), []string{"--data", filepath.Join(root, "b-mmlu"),
		"--candidates", "gpt-4o-2024-05-13,claude-3-haiku-20240307"}, &stdout, &stderr)
	assert.ErrorContains(t, err, `candidate "claude-3-haiku-20240307" has no quality labels in dataset b-mmlu`)
}
