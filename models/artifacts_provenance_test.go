package models_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// PROVENANCE.md is documentation, not part of the model: a model folder
// whose PROVENANCE.md cannot be read as a file (here a directory of that
// name) still loads, for serve --router-model, models, eval and add-profile.
func TestLoadArtifactsIgnoresAnUnreadableProvenance(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		models.RouterONNXFile:    "onnx",
		models.TokenizerJSONFile: `{"model":{}}`,
		models.RouterJSONFile:    `{"profiles":["a"]}`,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, models.ProvenanceFile), 0o755))

	a, err := models.LoadArtifacts(os.DirFS(dir))
	require.NoError(t, err, "the model's three files are all there; only the optional PROVENANCE.md is not a readable file")
	require.Equal(t, "onnx", string(a.RouterONNX))
}
