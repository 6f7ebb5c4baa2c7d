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
