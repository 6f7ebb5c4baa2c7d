package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// train writes router.onnx, then tokenizer.json, then router.json into
// --out. A first train stopped between them (a full disk, Ctrl-C during
// the write) leaves the first two without the card. Running the same
// train again must finish the folder, not refuse it as another tool's.
func TestRunFinishesAFolderItsOwnInterruptedWriteLeft(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	done := filepath.Join(dir, "done")
	opt := tinyOptions(done, a)
	opt.Epochs = 2
	_, err := Run(context.Background(), opt)
	require.NoError(t, err)

	// What the interrupted write left: train's own model and tokenizer.
	interrupted := filepath.Join(dir, "interrupted")
	require.NoError(t, os.MkdirAll(interrupted, 0o755))
	for _, name := range []string{models.RouterONNXFile, models.TokenizerJSONFile} {
		b, err := os.ReadFile(filepath.Join(done, name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(interrupted, name), b, 0o644))
	}
	opt.Out = interrupted
	_, err = Run(context.Background(), opt)
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(interrupted, models.RouterJSONFile))
}

// Without router.onnx, a PROVENANCE.md (or tokenizer.json) and no
// router.json is not what a stopped train leaves: it is another tool's
// file, and train must leave it alone.
func TestRunLeavesAProvenanceFileWithoutARouterModelAlone(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	out := filepath.Join(dir, "notes")
	require.NoError(t, os.MkdirAll(out, 0o755))
	theirs := []byte("# Provenance of something else\n")
	require.NoError(t, os.WriteFile(filepath.Join(out, models.ProvenanceFile), theirs, 0o644))
	opt := tinyOptions(out, a)
	opt.Epochs = 2
	_, err := Run(context.Background(), opt)
	require.ErrorContains(t, err, "holds "+models.ProvenanceFile+" but no "+models.RouterJSONFile)
	b, err := os.ReadFile(filepath.Join(out, models.ProvenanceFile))
	require.NoError(t, err)
	require.Equal(t, string(theirs), string(b), "train replaced a file that was not a router model's")
}
