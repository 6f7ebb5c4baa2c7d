package store_test

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A database in a folder that takes no new files (a read-only mount) is
// read without writing: the keys are listed, and the file keeps its bytes
// and modification time. Every WAL connection that may write creates the
// -wal file beside the database, so a folder that refuses it tells a
// writing open from a reading one. The tests run as root, whom chmod does
// not stop, so a directory stands where the -wal file would go: root cannot
// open that as a file either.
func TestOpenForReadingReadsAFolderThatRefusesNewFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "ci")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, os.Mkdir(path+"-wal", 0o755))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	info, err := os.Stat(path)
	require.NoError(t, err)

	r, err := store.OpenForReading(path)
	require.NoError(t, err)
	keys, err := r.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, "ci", keys[0].Name)
	require.NoError(t, r.Close())

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "reading changed the database file")
	info2, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, info.ModTime(), info2.ModTime(), "reading touched the database file")
	assert.NoFileExists(t, path+"-shm")
}

// Beside a running server (a writing store holds the file), a reader sees
// what the server has committed, also after the reader opened: it shares
// the server's -wal file rather than read the database file alone.
func TestOpenForReadingSeesWhatARunningServerCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s := mustOpenPath(t, path)
	_, _, err := s.CreateKey(context.Background(), "first")
	require.NoError(t, err)

	r, err := store.OpenForReading(path)
	require.NoError(t, err)
	defer r.Close()
	keys, err := r.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 1)

	_, _, err = s.CreateKey(context.Background(), "second")
	require.NoError(t, err)
	keys, err = r.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, "second", keys[1].Name)
}

// A store opened for reading takes no decision rows: they are counted as
// rejected, not left to fail against a file it may not write.
func TestOpenForReadingRejectsDecisionRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	r, err := store.OpenForReading(path, store.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	r.Log().Record(router.Record{RequestID: "r1", API: "chat.completions", PromptHash: "h"})
	require.NoError(t, r.Close())
	assert.Equal(t, uint64(1), r.Log().Stats().Rejected)
	assert.Zero(t, countDecisions(t, mustOpenPath(t, path)))
}

// A database an older release wrote lacks a migration. A reader does not
// migrate it (that would write) and does not read it as if it were
// current: it says which migration is missing, and leaves the file as it
// was.
func TestOpenForReadingRefusesAnOlderSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM migrations WHERE name = '0006_usage_estimated.sql'`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	r, err := store.OpenForReading(path)
	if err == nil {
		r.Close()
	}
	require.ErrorIs(t, err, store.ErrOlderSchema)
	assert.ErrorContains(t, err, "0006_usage_estimated.sql")

	db, err = sql.Open("sqlite3", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM migrations WHERE name = '0006_usage_estimated.sql'`).Scan(&n))
	assert.Zero(t, n, "the reader migrated the database")
}

// mustOpenPath opens the store at path for writing until the test ends.
func mustOpenPath(tb testing.TB, path string) *store.Store {
	tb.Helper()
	s, err := store.Open(path)
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s
}
