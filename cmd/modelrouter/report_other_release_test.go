package main

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// execSQL runs statements on the database at path as another release of
// modelrouter would have left it.
func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	for _, q := range stmts {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
}

// The README says `report` only reads and still opens a database that a
// newer release wrote (a migration it does not know adds what it does not
// read): the cost report of an upgraded server's log still prints.
func TestCLIReportReadsADatabaseANewerReleaseWrote(t *testing.T) {
	path := writeLog(t, 2)
	execSQL(t, path,
		`INSERT INTO migrations(name, applied) VALUES ('0099_future.sql', '2030-01-01T00:00:00Z')`,
		`CREATE TABLE future_things (id INTEGER PRIMARY KEY)`)

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "prod")
}

// A decision log an older release wrote has every column the report reads
// (the last migration only added usage_estimated). The report reads it
// without upgrading it: the file may sit on a read-only mount or be an
// archive, where "run serve once to upgrade it" is no option.
func TestCLIReportReadsADatabaseAnOlderReleaseWrote(t *testing.T) {
	path := writeLog(t, 2)
	execSQL(t, path,
		`ALTER TABLE decisions DROP COLUMN usage_estimated`,
		`DELETE FROM migrations WHERE name = '0006_usage_estimated.sql'`)

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "prod")
}
