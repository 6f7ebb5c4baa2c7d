package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// A router model folder whose router.onnx is not the one its router.json
// describes (another model's copied over it, a file changed by hand) is
// refused by every command that loads it, and the message says which
// folder and which file, and what makes the folder whole again, rather
// than two content hashes.
func TestARouterModelFolderWithAChangedFileNamesTheFolderAndTheFile(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "router-model")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	onnx := append([]byte(nil), files.RouterONNX...)
	onnx[len(onnx)-1] ^= 1
	for name, b := range map[string][]byte{models.RouterONNXFile: onnx, models.TokenizerJSONFile: files.TokenizerJSON, models.RouterJSONFile: files.RouterJSON} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	for _, args := range [][]string{
		{"route", "--router-model", dir, "hello"},
		{"eval", "--router-model", dir, "--data", writeEvalDataset(t, t.TempDir(), "d",
			map[string][2]float64{"gpt-4o-2024-05-13": {5, 15}, "mixtral-8x7b-instruct-v0.1": {0.6, 0.6}}, 4, gptAlwaysRight)},
		{"models", "--router-model", dir},
		{"add-profile", "--router-model", dir, "--data", t.TempDir(), "--model", "m", "--out", t.TempDir()},
	} {
		_, _, err := runCmd(t, args...)
		require.Error(t, err, "%q", args)
		assert.ErrorContains(t, err, dir, "%q", args)
		assert.ErrorContains(t, err, "router.onnx is not the file router.json describes", "%q", args)
		assert.ErrorContains(t, err, "copy router.onnx, tokenizer.json and router.json of one router model", "%q", args)
	}
}
