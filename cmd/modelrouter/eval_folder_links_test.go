package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A folder of datasets gathered with symbolic links (`ln -s
// .../mt-bench held-out/`) is a folder of datasets: eval read the links as
// files and said the folder held no routing dataset.
func TestEvalFolderOfLinkedDatasets(t *testing.T) {
	classifiertest.RequireRuntime(t)
	src, root, out := t.TempDir(), t.TempDir(), t.TempDir()
	for _, name := range []string{"a", "b"} {
		d := writeEvalDataset(t, src, name, map[string][2]float64{
			"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
		if err := os.Symlink(d, filepath.Join(root, name)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	// A file beside them is still no dataset.
	require.NoError(t, os.WriteFile(filepath.Join(root, "notes.txt"), []byte("held-out sets\n"), 0o644))

	var stdout, stderr bytes.Buffer
	require.NoError(t, runEval(context.Background(), []string{"--data", root, "--out", out}, &stdout, &stderr), stderr.String())
	for _, name := range []string{"a", "b"} {
		assert.FileExists(t, filepath.Join(out, name, "report.json"))
	}
}

// --data reads a dataset or a folder of datasets. Given a folder whose
// datasets sit one level further down, in groups (held-out/routellm/mmlu),
// eval said only that it held no routing dataset; now it names the
// subfolders that hold them.
func TestEvalNamesTheSubfoldersThatHoldDatasets(t *testing.T) {
	root := t.TempDir()
	writeEvalDataset(t, filepath.Join(root, "routellm"), "mmlu", map[string][2]float64{
		"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 8, gptAlwaysRight)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "notes"), 0o755))

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", root}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, "its subfolders "+filepath.Join(root, "routellm")+" hold datasets: pass one of them as --data")
}

// A --data folder with datasets beside a group of them (holdout/mt-bench
// and holdout/pool8/a) was evaluated on its datasets alone, the group left
// out without a word; eval refuses it, naming the group, before any work.
func TestEvalRefusesDatasetsBesideAGroupOfThem(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	prices := map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}
	writeEvalDataset(t, root, "mt-bench", prices, 8, gptAlwaysRight)
	writeEvalDataset(t, filepath.Join(root, "pool8"), "a", prices, 8, gptAlwaysRight)

	var stdout, stderr bytes.Buffer
	err := runEval(context.Background(), []string{"--data", root, "--out", out}, &stdout, &stderr)
	require.Error(t, err, "the group pool8 was left out without a word")
	assert.ErrorContains(t, err, "its subfolders "+filepath.Join(root, "pool8")+" hold datasets a level further down")
	assert.ErrorContains(t, err, "pass each of them as its own --data")
	assert.NoFileExists(t, filepath.Join(out, "mt-bench", "report.json"))
}
