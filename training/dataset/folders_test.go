package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFiles(t *testing.T, dir string, names ...string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("{}\n"), 0o644))
	}
	return dir
}

// The one rule train and eval read --data by: a dataset, or a folder of
// datasets, linked in or not; a half-written dataset is taken (for Load to
// name the file it lacks), not passed over; files and broken links are not
// datasets.
func TestFoldersReadsADatasetOrAFolderOfThem(t *testing.T) {
	src, root := t.TempDir(), t.TempDir()
	whole := writeFiles(t, filepath.Join(src, "whole"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(root, "copied"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(root, "half"), "items.jsonl")
	writeFiles(t, filepath.Join(root, "readme-only"), "README.md")
	writeFiles(t, root, "notes.txt")
	if err := os.Symlink(whole, filepath.Join(root, "linked")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	require.NoError(t, os.Symlink(filepath.Join(root, "notes.txt"), filepath.Join(root, "notes-link")))
	require.NoError(t, os.Symlink(filepath.Join(src, "gone"), filepath.Join(root, "gone")))

	dirs, self, err := Folders(root)
	require.NoError(t, err)
	assert.False(t, self)
	assert.Equal(t, []string{filepath.Join(root, "copied"), filepath.Join(root, "half"), filepath.Join(root, "linked")}, dirs)

	dirs, self, err = Folders(filepath.Join(root, "linked"))
	require.NoError(t, err)
	assert.True(t, self, "a link to a dataset named itself is that dataset")
	assert.Equal(t, []string{filepath.Join(root, "linked")}, dirs)

	_, _, err = Folders(filepath.Join(root, "notes.txt"))
	assert.ErrorContains(t, err, "not a folder")
	_, _, err = Folders(filepath.Join(root, "readme-only"))
	assert.ErrorContains(t, err, "no routing dataset (models.json + items.jsonl) in it")
}

// A folder whose datasets sit a level further down, in groups, is no
// folder of datasets: the error names the groups, a link to one included.
func TestFoldersNamesTheSubfoldersThatHoldDatasets(t *testing.T) {
	src, root := t.TempDir(), t.TempDir()
	writeFiles(t, filepath.Join(root, "routellm", "mt-bench"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(src, "arena", "hard"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(root, "notes"), "README.md")
	if err := os.Symlink(filepath.Join(src, "arena"), filepath.Join(root, "arena")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, _, err := Folders(root)
	require.Error(t, err)
	assert.ErrorContains(t, err, "its subfolders "+filepath.Join(root, "arena")+", "+filepath.Join(root, "routellm")+" hold datasets: pass one of them as --data")
}

// A folder with datasets beside a group of them (holdout/mmlu and
// holdout/pool8/a) was read as its datasets alone, the group left out
// without a word; it is refused, naming the group, a link to one included.
func TestFoldersRefusesDatasetsBesideAGroupOfThem(t *testing.T) {
	src, root := t.TempDir(), t.TempDir()
	writeFiles(t, filepath.Join(root, "mmlu"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(root, "pool8", "a"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(src, "linked-group", "b"), "models.json", "items.jsonl")
	writeFiles(t, filepath.Join(root, "notes"), "README.md")
	if err := os.Symlink(filepath.Join(src, "linked-group"), filepath.Join(root, "more")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, _, err := Folders(root)
	require.Error(t, err)
	assert.ErrorContains(t, err, "its subfolders "+filepath.Join(root, "more")+", "+filepath.Join(root, "pool8")+" hold datasets a level further down")
	assert.ErrorContains(t, err, "pass each of them as its own --data")

	// Without the groups the folder is a folder of datasets, as before.
	require.NoError(t, os.RemoveAll(filepath.Join(root, "pool8")))
	require.NoError(t, os.Remove(filepath.Join(root, "more")))
	dirs, self, err := Folders(root)
	require.NoError(t, err)
	assert.False(t, self)
	assert.Equal(t, []string{filepath.Join(root, "mmlu")}, dirs)
}
