package store_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// An operator's `sqlite3` session left inside a transaction (or any long
// read: a dashboard, a slow report) pins the WAL, so every row the gateway
// logs meanwhile is appended to the -wal file. Once that reader is gone
// and the rows are checkpointed, the file must give the space back:
// otherwise one forgotten session leaves gigabytes next to the database
// until the server restarts, on the disk the log needs.
func TestWALGivesSpaceBackAfterALongReadEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path, store.WithCommitInterval(0))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	endRead := openRead(t, path)

	// Small commits, as steady traffic makes them.
	for i := range 1500 {
		logged(t, s, sampleRecord(requestID(i), sampleTime))
	}
	pinned := walSize(t, path)
	require.Greater(t, pinned, int64(16<<20), "the pinned WAL grew with the traffic")

	endRead()
	// Later traffic checkpoints and starts the WAL over.
	for i := range 20 {
		logged(t, s, sampleRecord(requestID(10_000+i), sampleTime))
	}
	_, err = s.DB().Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	require.NoError(t, err)
	logged(t, s, sampleRecord(requestID(99_999), sampleTime))

	require.Less(t, walSize(t, path), pinned/2,
		"the -wal file keeps the size a long reader made it grow to (%d bytes) after every row in it was checkpointed", pinned)
}

// openRead begins a read of the log at path in a connection of its own, as
// an operator's `sqlite3` session inside a transaction holds one, and
// returns what ends it.
func openRead(t *testing.T, path string) (end func()) {
	t.Helper()
	reader, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	t.Cleanup(func() { reader.Close() })
	ctx := context.Background()
	conn, err := reader.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `BEGIN`)
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM decisions`).Scan(&n))
	return func() {
		_, err := conn.ExecContext(ctx, `COMMIT`)
		require.NoError(t, err)
		require.NoError(t, conn.Close())
	}
}

func walSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	require.NoError(t, err)
	return fi.Size()
}

// The same long read, but no traffic after it: SQLite cuts the -wal file
// back only at the commits that follow, so an idle gateway kept every byte
// the read made it grow by. The store's own checkpoint empties it once the
// read is gone, and while the read lasts its failed tries neither block
// the log nor leave a connection that gives up on a lock sooner than the
// store's busy timeout.
func TestWALIsEmptiedAfterALongReadEvenWithNoMoreTraffic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path, store.WithCommitInterval(0), store.WithCheckpointInterval(10*time.Millisecond))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	endRead := openRead(t, path)
	for i := range 1000 {
		logged(t, s, sampleRecord(requestID(i), sampleTime))
	}
	require.Equal(t, 1000, countDecisions(t, s), "every row is written while the read pins the WAL")
	pinned := walSize(t, path)
	require.Greater(t, pinned, int64(16<<20), "the pinned WAL grew with the traffic")

	endRead()
	// No row is logged from here on.
	require.Eventually(t, func() bool { return walSize(t, path) <= 8<<20 }, 20*time.Second, 10*time.Millisecond,
		"the -wal file kept %d bytes after the read that grew it ended", walSize(t, path))

	// Every pooled connection, the checkpoint's among them, waits the
	// store's 5 s for a lock.
	ctx := context.Background()
	var conns []*sql.Conn
	for range 16 {
		c, err := s.DB().Conn(ctx)
		require.NoError(t, err)
		conns = append(conns, c)
		var ms int
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&ms))
		assert.Equal(t, 5000, ms)
	}
	for _, c := range conns {
		c.Close()
	}
}
