package models_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/models"
)

// A --router-model folder that does not exist (a typo) is named as such,
// not as a folder whose three files are missing; an empty folder that
// exists still lists the files it lacks.
func TestLoadArtifactsOfAFolderThatDoesNotExistSaysSo(t *testing.T) {
	dir := t.TempDir()
	_, err := models.LoadArtifacts(os.DirFS(filepath.Join(dir, "router-modle")))
	assert.EqualError(t, err, "no such folder")

	_, err = models.LoadArtifacts(os.DirFS(dir))
	assert.ErrorContains(t, err, "router model files missing: [router.onnx tokenizer.json router.json]")
}

// A --router-model that names a file (router.onnx itself, say) is refused
// as not a folder, not with "open router.onnx: not a directory", which
// reads as a fault inside the model.
func TestLoadArtifactsOfAFileSaysItIsNotAFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "router.onnx")
	assert.NoError(t, os.WriteFile(file, []byte("onnx"), 0o644))
	_, err := models.LoadArtifacts(os.DirFS(file))
	assert.EqualError(t, err, "not a folder: name the folder that holds router.onnx, tokenizer.json and router.json")
}
