package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// train replaces a router model's files in --out, not another tool's files
// that share their names. A Hugging Face model folder holds a
// tokenizer.json and no router.json: training into it must not replace
// that tokenizer with the router model's.
func TestRunLeavesAnotherToolsTokenizerInOutAlone(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	out := filepath.Join(dir, "hf-model")
	require.NoError(t, os.MkdirAll(out, 0o755))
	theirs := []byte(`{"version": "1.0", "model": {"type": "BPE"}}`)
	require.NoError(t, os.WriteFile(filepath.Join(out, "tokenizer.json"), theirs, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(out, "config.json"), []byte(`{"architectures": ["BertModel"]}`), 0o644))
	opt := tinyOptions(out, a)
	opt.Epochs = 2
	_, err := Run(context.Background(), opt)
	assert.ErrorContains(t, err, "holds tokenizer.json but no router.json")
	b, err := os.ReadFile(filepath.Join(out, "tokenizer.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(theirs), string(b), "train replaced a tokenizer.json that was not a router model's")

	// An empty folder holds nothing to replace.
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.MkdirAll(empty, 0o755))
	opt.Out = empty
	_, err = Run(context.Background(), opt)
	require.NoError(t, err)
}
