package classifier

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// A binary built with models/artifacts/ files of two router models (a
// router.onnx copied in from another train) is refused at load like a
// --router-model folder is, and the message says where those files were,
// since no folder was named, and that fixing them takes a rebuild.
func TestEmbeddedModelWithAChangedFileSaysWhereAndToRebuild(t *testing.T) {
	files, err := models.Artifacts()
	require.NoError(t, err)
	onnx := append([]byte(nil), files.RouterONNX...)
	onnx[len(onnx)-1] ^= 1
	tampered := files
	tampered.RouterONNX = onnx
	saved := embeddedArtifacts
	embeddedArtifacts = func() (models.ArtifactFiles, error) { return tampered, nil }
	t.Cleanup(func() { embeddedArtifacts = saved })

	_, err = Load(Options{})
	require.Error(t, err)
	require.ErrorContains(t, err, "router.onnx is not the file router.json describes")
	require.ErrorContains(t, err, "embedded router model")
	require.ErrorContains(t, err, "models/artifacts/")
	require.ErrorContains(t, err, "rebuild")
}
