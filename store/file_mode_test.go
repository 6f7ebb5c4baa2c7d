package store_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The database holds conversations (kept Responses answers, prompts with
// --keep-prompts) and every key's budget: one the gateway makes is its
// owner's alone, as are its -wal and -shm files, whatever the umask lets
// other users read.
func TestANewDatabaseIsReadableByItsOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022) // the common default, under which SQLite made it 0644
	t.Cleanup(func() { syscall.Umask(old) })
	path := filepath.Join(t.TempDir(), "data", "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "ci")
	require.NoError(t, err)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), p)
	}
	require.NoError(t, s.Close())
}

// A database that is there keeps the mode its owner gave it: an operator
// who let a group read it (for `report` as another user) keeps that.
func TestAnExistingDatabaseKeepsItsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, os.Chmod(path, 0o640))
	s, err = store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), info.Mode().Perm())
}

// A --db that is a symbolic link to a file not made yet (a path prepared
// on another disk) makes that file its owner's alone too: SQLite follows
// the link, and made it 0644.
func TestANewDatabaseBehindASymlinkIsReadableByItsOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "disk"), 0o755))
	require.NoError(t, os.Symlink("disk/modelrouter.db", filepath.Join(dir, "modelrouter.db")))
	s, err := store.Open(filepath.Join(dir, "modelrouter.db"))
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "ci")
	require.NoError(t, err)
	for _, p := range []string{"modelrouter.db", "modelrouter.db-wal"} {
		info, err := os.Stat(filepath.Join(dir, "disk", p))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), p)
	}
	require.NoError(t, s.Close())
}
