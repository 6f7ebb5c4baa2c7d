package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A --data folder of datasets gathered with symbolic links (`ln -s
// .../llmrouter train-set/`) is a folder of datasets, as eval reads it:
// train took the links for files and said the folder held no dataset.
// The licence rule reads the linked datasets as it reads folders.
func TestTrainReadsAFolderOfLinkedDatasets(t *testing.T) {
	src, root := t.TempDir(), t.TempDir()
	for _, name := range []string{"llmrouter", "mmlu-pro", "routerbench-zs"} {
		d := writeToyDataset(t, src, name, 30, 1)
		if err := os.Symlink(d, filepath.Join(root, name)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	// A file, a link to a file and a link to nothing beside them are no datasets.
	notes := filepath.Join(root, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("train set\n"), 0o644))
	require.NoError(t, os.Symlink(notes, filepath.Join(root, "notes-link")))
	require.NoError(t, os.Symlink(filepath.Join(src, "gone"), filepath.Join(root, "gone")))

	dirs, skipped, _, err := ResolveData([]string{root}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(root, "llmrouter"), filepath.Join(root, "mmlu-pro")}, dirs)
	assert.Equal(t, []string{"routerbench-zs"}, skipped, "an unlicensed dataset linked in is skipped as one copied in is")

	opt := tinyOptions(filepath.Join(t.TempDir(), "out"), root)
	opt.Val, opt.Epochs, opt.LeaveOneOut, opt.LeaveOneTaskOut = 0, 2, false, false
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	var names []string
	for _, d := range res.Corpus.Datasets {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"llmrouter", "mmlu-pro"}, names)
	assert.Len(t, res.Corpus.Examples, 60, "every prompt of both linked datasets")
}

// --data naming a folder whose datasets sit one level further down, in
// groups (held-out/routellm/llmrouter), says which subfolders hold them,
// as eval does, rather than only that there is no dataset here.
func TestTrainNamesTheSubfoldersThatHoldDatasets(t *testing.T) {
	root := t.TempDir()
	writeToyDataset(t, filepath.Join(root, "routellm"), "llmrouter", 5, 1)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "notes"), 0o755))

	_, _, _, err := ResolveData([]string{root}, false)
	require.Error(t, err)
	assert.ErrorContains(t, err, "its subfolders "+filepath.Join(root, "routellm")+" hold datasets: pass one of them as --data")
}

// A dataset folder without its items.jsonl (a copy cut short) in a --data
// folder is named, as eval names it, not passed over: its models.json says
// it is a dataset.
func TestTrainNamesADatasetWithoutItsItems(t *testing.T) {
	root := t.TempDir()
	writeToyDataset(t, root, "llmrouter", 30, 1)
	cut := writeToyDataset(t, root, "mmlu-pro", 30, 1)
	require.NoError(t, os.Remove(filepath.Join(cut, "items.jsonl")))

	opt := tinyOptions(filepath.Join(t.TempDir(), "out"), root)
	opt.Val, opt.Epochs, opt.LeaveOneOut, opt.LeaveOneTaskOut = 0, 2, false, false
	_, err := Run(context.Background(), opt)
	require.Error(t, err, "mmlu-pro was left out without a word")
	assert.ErrorContains(t, err, filepath.Join(cut, "items.jsonl"))
}

// A --data folder with datasets beside a group of them (train-set/mmlu-pro
// and train-set/pool/llmrouter) trained on its datasets alone, the group
// left out without a word; train refuses it, naming the group, as eval does.
func TestTrainRefusesDatasetsBesideAGroupOfThem(t *testing.T) {
	root := t.TempDir()
	writeToyDataset(t, root, "mmlu-pro", 5, 1)
	writeToyDataset(t, filepath.Join(root, "pool"), "llmrouter", 5, 1)

	_, _, _, err := ResolveData([]string{root}, false)
	require.Error(t, err, "the group pool was left out without a word")
	assert.ErrorContains(t, err, "--data "+root+": ")
	assert.ErrorContains(t, err, "its subfolders "+filepath.Join(root, "pool")+" hold datasets a level further down")
	assert.ErrorContains(t, err, "pass each of them as its own --data")
}
