package store_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// readAsOtherUserEnv names the database that the test binary, started
// again as another user, opens for reading.
const readAsOtherUserEnv = "MODELROUTER_TEST_READ_DB"

// An operator who may read the database but not write its folder (the
// service account owns /var/lib/modelrouter, 0755; the database 0644) runs
// `report` or `keys list` while the server is stopped. Nothing can be
// written, so the file is read as it is, as on a read-only mount.
func TestOpenForReadingReadsAFolderTheUserMayNotWrite(t *testing.T) {
	if path := os.Getenv(readAsOtherUserEnv); path != "" {
		r, err := store.OpenForReading(path)
		require.NoError(t, err)
		defer r.Close()
		keys, err := r.ListKeys(context.Background())
		require.NoError(t, err)
		require.Len(t, keys, 1)
		return
	}
	dir := folderOnlyRootWrites(t)
	path := filepath.Join(dir, "m.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "ci")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, os.Chmod(path, 0o644))

	out, err := readAsOtherUser(t, dir, path)
	require.NoError(t, err, "%s", out)
}

// A copy of a database and its -wal file without the -shm file, in a
// folder the reader may not write, cannot be read: SQLite needs the -shm
// file for the -wal file. The error names what is missing and how to get a
// file that reads, not "no such file" for a database that is there.
func TestOpenForReadingNamesTheMissingShmFile(t *testing.T) {
	if path := os.Getenv(readAsOtherUserEnv); path != "" {
		r, err := store.OpenForReading(path)
		if err == nil {
			r.Close()
		}
		require.Error(t, err)
		require.ErrorContains(t, err, path+"-shm")
		require.ErrorContains(t, err, "copy the -shm file too")
		require.ErrorContains(t, err, "PRAGMA wal_checkpoint")
		return
	}
	dir := folderOnlyRootWrites(t)
	src := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(src)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "ci")
	require.NoError(t, err)
	// Copied while the server has it open: the new key is in the -wal file.
	path := filepath.Join(dir, "m.db")
	copyFile(t, src, path)
	copyFile(t, src+"-wal", path+"-wal")
	require.NoError(t, s.Close())

	out, err := readAsOtherUser(t, dir, path)
	require.NoError(t, err, "%s", out)
}

// folderOnlyRootWrites is a new folder that root owns, 0755. It skips the
// test when not run as root, who alone can start the reader as another
// user.
func folderOnlyRootWrites(t *testing.T) string {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("starts the reader as another user, which needs root")
	}
	dir, err := os.MkdirTemp("", "readonly-folder")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	return dir
}

// readAsOtherUser runs the calling test again as uid 65534 (nobody), on
// the database at path, and returns its output.
func readAsOtherUser(t *testing.T, dir, path string) ([]byte, error) {
	t.Helper()
	// The test binary's own folder is root's alone: run a copy.
	bin := filepath.Join(dir, "store.test")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), readAsOtherUserEnv+"="+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return cmd.CombinedOutput()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}
