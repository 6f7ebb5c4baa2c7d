package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// refuseNewFilesBeside makes the folder of the database at path refuse the
// -wal file that any connection which may write creates, as a read-only
// mount does. The tests run as root, whom chmod does not stop; a directory
// in the file's place stops root too.
func refuseNewFilesBeside(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, os.Mkdir(path+"-wal", 0o755))
}

// keys list and report only read: on a database whose folder takes no new
// files they answer, and the file keeps its bytes.
func TestCLIReadingCommandsWorkOnAReadOnlyFolder(t *testing.T) {
	path := writeLog(t, 2)
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "dashboard")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	refuseNewFilesBeside(t, path)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	out, _, err := runCmd(t, "keys", "list", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "dashboard")

	out, _, err = runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "prod")

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a reading command changed the database file")
}

// olderReleaseDB is a database with a key, as the release before the last
// migration left it.
func olderReleaseDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "dashboard")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	execSQL(t, path,
		`ALTER TABLE decisions DROP COLUMN usage_estimated`,
		`DELETE FROM migrations WHERE name = '0006_usage_estimated.sql'`)
	return path
}

// keys list on a database an older release wrote, where the file can be
// written, upgrades it as serve would and lists the keys.
func TestCLIKeysListUpgradesAnOlderDatabase(t *testing.T) {
	path := olderReleaseDB(t)

	out, _, err := runCmd(t, "keys", "list", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "dashboard")

	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM migrations WHERE name = '0006_usage_estimated.sql'`).Scan(&n))
	assert.Equal(t, 1, n, "the database was not upgraded")
}

// Where an older release's database cannot be written (a read-only mount),
// keys list leaves it as it is and says it must be upgraded once where it
// can be written, and how.
func TestCLIKeysListNamesTheUpgradeForAnOlderDatabaseItCannotWrite(t *testing.T) {
	path := olderReleaseDB(t)
	refuseNewFilesBeside(t, path)
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	_, _, err = runCmd(t, "keys", "list", "--db", path)
	require.Error(t, err)
	assert.ErrorContains(t, err, "older modelrouter")
	assert.ErrorContains(t, err, "where the file can be written")
	assert.ErrorContains(t, err, "modelrouter serve --db "+path)

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "keys list changed a database it could not upgrade")
}
