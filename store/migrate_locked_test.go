package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// A database with every migration applied needs none of them again, so
// opening it takes no write lock: `keys create`, `keys revoke` or a
// restarted `serve` open it beside a `sqlite3` session left inside
// BEGIN IMMEDIATE, and only a write they make meets the lock, rather than
// every open failing with "migration 0001_init.sql: database is locked",
// as if the schema were being changed.
func TestAMigratedDatabaseOpensWhileAnotherProcessHoldsItsWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "migrated.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "before")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	release := holdWriteLock(t, path)
	s, err = store.Open(path, store.WithBusyTimeout(time.Millisecond))
	require.NoError(t, err, "no migration to apply, no lock to take")
	t.Cleanup(func() { s.Close() })
	keys, err := s.ListKeys(context.Background())
	require.NoError(t, err)
	assert.Len(t, keys, 1, "reads go on beside the lock")
	_, _, err = s.CreateKey(context.Background(), "during")
	require.Error(t, err, "a write meets the lock")
	assert.Contains(t, err.Error(), "locked")
	assert.NotContains(t, err.Error(), "migration")
	assert.NoError(t, s.Close(), "the lock refused the write, which was reported; closing has nothing to add")
	release()
}
