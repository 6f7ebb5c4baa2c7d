package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// A database that records a migration this binary does not know was
// written by a newer release. Open refuses it, naming the migration, rather
// than serve on it ignoring what the newer columns mean (an older binary
// would answer calls over a key's budget, which it has no column for).
func TestOpenRefusesADatabaseFromANewerRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO migrations (name, applied) VALUES ('9999_from_a_newer_release.sql', '2030-01-01T00:00:00.000000000Z')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	s, err = store.Open(path)
	if err == nil {
		s.Close()
	}
	require.Error(t, err, "a database migrated by a newer release opened as if it were this release's")
	assert.Contains(t, err.Error(), "newer modelrouter")
	assert.Contains(t, err.Error(), "9999_from_a_newer_release.sql")
}
