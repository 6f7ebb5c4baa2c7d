package eval

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An eval --out is replaced without asking only where an eval wrote it
// (or nothing is there yet): a router model's folder, a report.json that
// is no eval report, or a report's file without report.json is refused,
// and the file left as it was.
func TestCheckOutKeepsFoldersNoEvalWrote(t *testing.T) {
	assert.NoError(t, CheckOut(filepath.Join(t.TempDir(), "new")), "a new folder")
	assert.NoError(t, CheckOut(t.TempDir()), "an empty folder")

	earlier := t.TempDir()
	require.NoError(t, toyRun(t, perfect, Options{}).WriteDir(earlier))
	assert.NoError(t, CheckOut(earlier), "the folder an earlier eval wrote: a rerun replaces it")

	for file, want := range map[string]string{
		"router.json":    "holds router.json, so it is a router model's folder",
		"router.onnx":    "holds router.onnx, so it is a router model's folder",
		"tokenizer.json": "holds tokenizer.json, so it is a router model's folder",
		"report.json":    "its report.json is not an eval report",
		"report.md":      "holds report.md but no report.json, so no eval wrote it",
		"curves.png":     "holds curves.png but no report.json",
	} {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(`{"name": "someone else's"}`), 0o644))
		err := CheckOut(dir)
		assert.ErrorContains(t, err, want, file)
		assert.ErrorContains(t, err, "choose another --out", file)
	}
	// An earlier eval's folder with a router model's file put in it is a
	// router model's folder too.
	require.NoError(t, os.WriteFile(filepath.Join(earlier, "router.onnx"), []byte("onnx"), 0o644))
	assert.ErrorContains(t, CheckOut(earlier), "holds router.onnx")
}
