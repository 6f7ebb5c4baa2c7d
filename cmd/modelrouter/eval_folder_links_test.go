package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A folder of datasets gathered with symbolic links (`ln -s
// .../mt-bench held-out/`) is a folder of datasets: eval read the links as
// files and said the folder held no routing dataset.
func TestEvalFolderOfLinkedDatasets(t *testing.T) {
	needRuntime(t)
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
