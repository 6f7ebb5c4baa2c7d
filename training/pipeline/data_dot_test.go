package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `train --data .` from inside a dataset folder names the folder: a
// licensed dataset trains without --allow-unlicensed, and the card names
// the dataset, not ".".
func TestTrainingOnTheCurrentFolderNamesTheDatasetByItsFolder(t *testing.T) {
	dir := t.TempDir()
	writeToyDataset(t, dir, "llmrouter", 60, 1)
	t.Chdir(filepath.Join(dir, "llmrouter"))

	dirs, skipped, _, err := ResolveData([]string{"."}, false)
	require.NoError(t, err, "a licensed dataset read from inside its folder was refused as unlicensed")
	assert.Equal(t, []string{"."}, dirs)
	assert.Empty(t, skipped)

	opt := tinyOptions(filepath.Join(dir, "out"), ".")
	opt.Val, opt.Epochs = 0, 2
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	require.Len(t, res.Corpus.Datasets, 1)
	assert.Equal(t, "llmrouter", res.Corpus.Datasets[0].Name)
	assert.Equal(t, "MIT", res.Corpus.Datasets[0].Licence)
}
