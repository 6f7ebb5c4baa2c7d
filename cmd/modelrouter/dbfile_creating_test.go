package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// `keys create` next to a `serve` (or another `keys create`) creating the
// same new database: the other process's store.Open has committed its first
// statement (the migrations table, in WAL mode) and is applying
// 0001_init.sql in a later transaction. A file with no table but migrations
// is such a database in the making: keys create opens it (store.Open waits
// for the other migration) instead of refusing it as "not a modelrouter
// database". The file here is that in-between state, committed. A SQLite
// file with other tables is still refused (TestCLIKeysCreateRefusesAnotherApplicationsDatabase).
func TestCLIKeysCreateAcceptsADatabaseAnotherProcessIsCreating(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL")
	require.NoError(t, err)
	// store.migrate's first statement, committed before 0001 runs.
	_, err = db.Exec(`CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, stderr, err := runCmd(t, "keys", "create", "--name", "ci", "--db", path)
	require.NoError(t, err, "keys create refused a database another process is still creating; stderr: %s", stderr)

	s, err := store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	keys, err := s.ListKeys(context.Background())
	require.NoError(t, err)
	assert.Len(t, keys, 1)
}

// A SQLite file with tables of its own is another application's: keys
// create refuses it and leaves it as it was (a mistyped --db).
func TestCLIKeysCreateRefusesAnotherApplicationsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE users(id INTEGER, name TEXT)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	_, _, err = runCmd(t, "keys", "create", "--name", "ci", "--db", path)
	require.ErrorContains(t, err, "no decisions table")

	db, err = sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&n))
	assert.Equal(t, 1, n, "keys create added tables to another application's database")
}
