package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// Close refreshes the query planner's statistics (PRAGMA optimize) when it
// can, which is worth no wait: with another process holding the write lock
// (a `sqlite3` session inside BEGIN IMMEDIATE) it waited the whole busy
// timeout for it, on top of the decision log's last try, before `serve`
// exited, and systemd's stop timeout counts both.
func TestClosingWhileAnotherProcessHoldsTheLockDoesNotWaitForTheStatistics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	// A busy timeout no shutdown should wait out; the log has no row to try.
	s, err := store.Open(path, store.WithBusyTimeout(time.Hour), store.WithCloseTimeout(time.Hour))
	require.NoError(t, err)
	release := holdWriteLock(t, path)
	// Released before the store goes, so that Close returns on a store
	// that waited; the bound only keeps a hang from hanging the test.
	defer s.Close()
	defer release()

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err, "nothing was lost: the statistics wait for a writer")
	case <-time.After(time.Minute):
		t.Fatal("Close waited for another process's write lock to refresh the statistics")
	}
}
