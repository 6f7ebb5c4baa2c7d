package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// rollbackJournalDB makes a store database with n keys named k0.. and
// switches it to rollback-journal mode (as `sqlite3 m.db 'PRAGMA
// journal_mode=DELETE'` does), returning a connection that holds it.
func rollbackJournalDB(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	s, err := store.Open(path)
	require.NoError(t, err)
	for i := range n {
		_, _, err := s.CreateKey(context.Background(), fmt.Sprintf("k%d", i))
		require.NoError(t, err)
	}
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite3", path+"?_journal_mode=DELETE")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	var mode string
	require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	require.Equal(t, "delete", mode)
	return db
}

// A writer in rollback-journal mode holds the database without any side
// file between its transactions. A reader opened then must still see what
// that writer commits afterwards, as it does beside a WAL writer.
func TestOpenForReadingSeesWhatARollbackJournalWriterCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	w := rollbackJournalDB(t, path, 1)

	r, err := store.OpenForReading(path)
	require.NoError(t, err)
	defer r.Close()
	keys, err := r.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 1)

	_, err = w.Exec(`UPDATE api_keys SET name = 'renamed'`)
	require.NoError(t, err)
	keys, err = r.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, "renamed", keys[0].Name, "the reader reads a stale file while the writer is live")
}

// A writer in rollback-journal mode that stopped in the middle of a
// transaction (a crash) leaves a hot -journal beside the database, and the
// database file may hold pages of the unfinished transaction. A reader must
// not present those uncommitted rows as the database's content: it reads
// the committed state (rolling back) or refuses.
func TestOpenForReadingDoesNotReadAnUnfinishedTransaction(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.db")
	w := rollbackJournalDB(t, path, 300)
	ctx := context.Background()
	conn, err := w.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	// A small cache makes SQLite write changed pages into the database file
	// before the commit, as a large transaction does.
	_, err = conn.ExecContext(ctx, `PRAGMA cache_size = 2`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `BEGIN`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `UPDATE api_keys SET name = 'uncommitted-' || name || '-`+strings.Repeat("x", 200)+`'`)
	require.NoError(t, err)

	// What a crash at this point leaves on disk.
	crashed := filepath.Join(t.TempDir(), "m.db")
	for _, suffix := range []string{"", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(crashed+suffix, b, 0o644))
	}
	_, err = conn.ExecContext(ctx, `ROLLBACK`)
	require.NoError(t, err)

	r, err := store.OpenForReading(crashed)
	if err != nil {
		return // refused: fine
	}
	defer r.Close()
	keys, err := r.ListKeys(ctx)
	if err != nil {
		return // refused: fine
	}
	for _, k := range keys {
		require.False(t, strings.HasPrefix(k.Name, "uncommitted-"), "read a row of a transaction that never committed: %.40q", k.Name)
	}
}
