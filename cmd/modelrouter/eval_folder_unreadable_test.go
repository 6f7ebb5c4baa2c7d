package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// Over a folder of datasets, one whose items.jsonl cannot be read is not a
// length-only dataset to pass over without a word: eval fails naming its
// line, as for that dataset alone (and as train does for the same folder),
// rather than report the others and exit 0.
func TestEvalFolderNamesADatasetItCannotReadRatherThanSkipIt(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := t.TempDir()
	prices := map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}
	writeEvalDataset(t, root, "good", prices, 8, gptAlwaysRight)
	broken := writeEvalDataset(t, root, "broken", prices, 8, gptAlwaysRight)
	items := filepath.Join(broken, "items.jsonl")
	b, err := os.ReadFile(items)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(items, append([]byte("{"), b...), 0o644))

	_, stderr, err := runCmd(t, "eval", "--data", root)
	require.Error(t, err, "a dataset of the folder was not evaluated; stderr:\n%s", stderr)
	assert.ErrorContains(t, err, "broken: items.jsonl line 1")
}

// A dataset saved with a byte order mark (dataset.Load reads it) is
// evaluated over a folder too, not taken for one without quality labels.
func TestEvalFolderEvaluatesADatasetThatStartsWithAByteOrderMark(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := t.TempDir()
	prices := map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}
	writeEvalDataset(t, root, "plain", prices, 8, gptAlwaysRight)
	saved := writeEvalDataset(t, root, "saved", prices, 8, gptAlwaysRight)
	for _, name := range []string{"items.jsonl", "models.json"} {
		b, err := os.ReadFile(filepath.Join(saved, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(saved, name), append([]byte("\ufeff"), b...), 0o644))
	}

	stdout, stderr, err := runCmd(t, "eval", "--data", root, "--map", "gpt-4o-2024-05-13=gpt-4o-2024-05-13")
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "saved: 8 prompts")
	assert.Contains(t, stdout, "plain: 8 prompts")
}

// A dataset folder of the --data folder that lacks its items.jsonl (a copy
// cut short) is named, not passed over as if it held no quality labels:
// train and eval read a --data folder by one rule (dataset.Folders), and
// train fails on it too.
func TestEvalFolderNamesADatasetWithoutItsItems(t *testing.T) {
	classifiertest.RequireRuntime(t)
	root := t.TempDir()
	prices := map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}
	writeEvalDataset(t, root, "good", prices, 8, gptAlwaysRight)
	cut := writeEvalDataset(t, root, "cut", prices, 8, gptAlwaysRight)
	require.NoError(t, os.Remove(filepath.Join(cut, "items.jsonl")))

	_, stderr, err := runCmd(t, "eval", "--data", root)
	require.Error(t, err, "a dataset of the folder was not evaluated; stderr:\n%s", stderr)
	assert.ErrorContains(t, err, filepath.Join(cut, "items.jsonl"))
}
