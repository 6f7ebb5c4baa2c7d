package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The licence of a dataset reached through a symbolic link goes by the
// folder the link resolves to, not by the name the link was given: a link
// mp to canonical/mmlu-pro was refused as unlicensed. The dataset keeps
// its given name in what train reports and records.
func TestTrainLicenceFollowsALinkToALicensedDataset(t *testing.T) {
	canonical, mine := filepath.Join(t.TempDir(), "canonical"), t.TempDir()
	real := writeToyDataset(t, canonical, "mmlu-pro", 30, 1)
	mp := filepath.Join(mine, "mp")
	if err := os.Symlink(real, mp); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}

	dirs, skipped, _, err := ResolveData([]string{mp}, false)
	require.NoError(t, err, "a link to a licensed dataset was refused as unlicensed")
	assert.Equal(t, []string{mp}, dirs)
	assert.Empty(t, skipped)
	dirs, skipped, _, err = ResolveData([]string{mine}, false)
	require.NoError(t, err, "a folder holding a link to a licensed dataset")
	assert.Equal(t, []string{mp}, dirs)
	assert.Empty(t, skipped)

	// A link further up: the folder the dataset is read through is a link.
	alias := filepath.Join(t.TempDir(), "alias")
	require.NoError(t, os.Symlink(canonical, alias))
	byAlias := filepath.Join(t.TempDir(), "mine")
	require.NoError(t, os.Symlink(filepath.Join(alias, "mmlu-pro"), byAlias))
	_, _, _, err = ResolveData([]string{byAlias}, false)
	require.NoError(t, err, "a link to a licensed dataset through a linked folder")

	opt := tinyOptions(filepath.Join(t.TempDir(), "out"), mp)
	opt.Val, opt.Epochs, opt.LeaveOneOut, opt.LeaveOneTaskOut = 0, 2, false, false
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	require.Len(t, res.Corpus.Datasets, 1)
	assert.Equal(t, "mp", res.Corpus.Datasets[0].Name, "the dataset keeps the name it was given")
	assert.Equal(t, "Apache-2.0", res.Corpus.Datasets[0].Licence, "mmlu-pro's licence")
}

// A link named like a licensed dataset that points at a research-only one
// (mmlu-pro -> routerbench-zs) was trained on as licensed; it is refused
// named, or skipped under a folder, and with --allow-unlicensed it trains
// with no licence recorded.
func TestTrainLicenceFollowsALinkToAnUnlicensedDataset(t *testing.T) {
	canonical, mine := filepath.Join(t.TempDir(), "canonical"), t.TempDir()
	real := writeToyDataset(t, canonical, "routerbench-zs", 30, 1)
	writeToyDataset(t, mine, "llmrouter", 30, 2)
	fake := filepath.Join(mine, "mmlu-pro")
	if err := os.Symlink(real, fake); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}

	_, _, _, err := ResolveData([]string{fake}, false)
	require.Error(t, err, "a link named mmlu-pro to routerbench-zs was taken for licensed data")
	assert.ErrorContains(t, err, "dataset mmlu-pro (a link to routerbench-zs) has no licence recorded")
	assert.ErrorContains(t, err, "--allow-unlicensed")

	dirs, skipped, _, err := ResolveData([]string{mine}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(mine, "llmrouter")}, dirs)
	assert.Equal(t, []string{"mmlu-pro (a link to routerbench-zs)"}, skipped)

	opt := tinyOptions(filepath.Join(t.TempDir(), "out"), fake)
	opt.Val, opt.Epochs, opt.LeaveOneOut, opt.LeaveOneTaskOut = 0, 2, false, false
	opt.AllowUnlicensed = true
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	require.Len(t, res.Corpus.Datasets, 1)
	assert.Equal(t, "mmlu-pro", res.Corpus.Datasets[0].Name)
	assert.Empty(t, res.Corpus.Datasets[0].Licence, "routerbench-zs has no licence for the shipped model")
}
