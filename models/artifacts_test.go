package models_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

func TestLoadArtifacts(t *testing.T) {
	full := fstest.MapFS{
		"router.onnx":    {Data: []byte("onnx")},
		"tokenizer.json": {Data: []byte(`{"model":{}}`)},
		"router.json":    {Data: []byte(`{"profiles":["a"]}`)},
	}
	a, err := models.LoadArtifacts(full)
	require.NoError(t, err)
	assert.Equal(t, "onnx", string(a.RouterONNX))
	assert.Equal(t, `{"model":{}}`, string(a.TokenizerJSON))
	assert.Equal(t, `{"profiles":["a"]}`, string(a.RouterJSON))

	partial := fstest.MapFS{"router.json": full["router.json"]}
	_, err = models.LoadArtifacts(partial)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "router.onnx")
	assert.Contains(t, err.Error(), "tokenizer.json")
	assert.NotContains(t, err.Error(), "router.json")

	empty := fstest.MapFS{"router.onnx": {}, "tokenizer.json": full["tokenizer.json"], "router.json": full["router.json"]}
	_, err = models.LoadArtifacts(empty)
	assert.ErrorContains(t, err, "router.onnx is empty")
}

// TestArtifactsEmbedded holds either way: before training the error names
// the missing files and the fix; after training all three files are there.
func TestArtifactsEmbedded(t *testing.T) {
	a, err := models.Artifacts()
	if err != nil {
		assert.Contains(t, err.Error(), "make train")
		return
	}
	assert.NotEmpty(t, a.RouterONNX)
	assert.NotEmpty(t, a.TokenizerJSON)
	assert.NotEmpty(t, a.RouterJSON)
}
