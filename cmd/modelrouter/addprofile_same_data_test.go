package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// train reads a dataset folder named twice once; add-profile reads the
// same --data, so the same folder named twice must not count every
// labelled answer twice (twice the labels would also pass --min-labels
// with half the data).
func TestAddProfileReadsADatasetNamedTwiceOnce(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	data := writeRatedAnswers(t, 60)
	out := filepath.Join(t.TempDir(), "router-model")
	stdout, stderr, err := runCmd(t, "add-profile", "--data", data, "--data", data+string(filepath.Separator), "--model", gpt5mini, "--out", out)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "added profile "+gpt5mini+": 60 labelled answers")

	// 40 answers are too few for a profile, named once or twice.
	few := writeRatedAnswers(t, 40)
	_, _, err = runCmd(t, "add-profile", "--data", few, "--data", few, "--model", gpt5mini, "--out", filepath.Join(t.TempDir(), "few"))
	assert.ErrorContains(t, err, "40 labelled answers")
}
