package main

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keys list only looks. On an older release's database that the older
// release's serve has open (its -wal file is beside it), upgrading it
// would change a file a running server holds, and that server, once
// restarted, refuses a database with a migration it does not know. The
// file keeps the schema its server wrote, and the command says why it
// stops and what to do.
func TestCLIKeysListLeavesTheSchemaOfADatabaseAServerHoldsOpen(t *testing.T) {
	path := olderReleaseDB(t)
	conn := holdOpenInWALMode(t, path)

	_, _, err := runCmd(t, "keys", "list", "--db", path)
	require.Error(t, err)
	assert.ErrorContains(t, err, "older modelrouter")
	assert.ErrorContains(t, err, "in use")
	assert.ErrorContains(t, err, "stop the server that uses it")

	var n int
	require.NoError(t, conn.QueryRowContext(context.Background(), `SELECT count(*) FROM migrations WHERE name = '0006_usage_estimated.sql'`).Scan(&n))
	assert.Equal(t, 0, n, "keys list migrated a database its (older) server holds open; that server's next start refuses it as from a newer release")
}

// holdOpenInWALMode keeps a WAL connection to the database at path open
// until the test ends, as the older release's server would, and returns
// it for the test to look at the file through.
func holdOpenInWALMode(t *testing.T, path string) *sql.Conn {
	t.Helper()
	held, err := sql.Open("sqlite3", path+"?_journal_mode=WAL")
	require.NoError(t, err)
	t.Cleanup(func() { held.Close() })
	conn, err := held.Conn(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	_, err = conn.ExecContext(context.Background(), `INSERT INTO migrations(name, applied) SELECT 'x', 'x' WHERE 0`)
	require.NoError(t, err)
	_, err = os.Stat(path + "-wal")
	require.NoError(t, err, "a serving connection keeps its -wal file")
	return conn
}
