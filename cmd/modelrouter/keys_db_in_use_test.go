package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The writing keys commands on an older release's database that the older
// release's serve has open: upgrading it would change a file a running
// server holds, which that server, once restarted, refuses as from a newer
// release. As keys list does, they leave the file at its schema, change no
// key, and say why they stop and what to do.
func TestCLIKeysWritingCommandsLeaveTheSchemaOfADatabaseAServerHoldsOpen(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(keyID string) []string
	}{
		{"create", func(string) []string { return []string{"keys", "create", "--name", "ci"} }},
		{"revoke", func(id string) []string { return []string{"keys", "revoke", id} }},
		{"budget", func(id string) []string { return []string{"keys", "budget", id, "--usd", "5"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := olderReleaseDB(t)
			conn := holdOpenInWALMode(t, path)
			ctx := context.Background()
			var id string
			require.NoError(t, conn.QueryRowContext(ctx, `SELECT id FROM api_keys`).Scan(&id))

			_, _, err := runCmd(t, append(tc.args(id), "--db", path)...)
			require.Error(t, err)
			assert.ErrorIs(t, err, store.ErrOlderSchema)
			assert.ErrorContains(t, err, "in use")
			assert.ErrorContains(t, err, "stop the server that uses it")

			var n int
			require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = '0006_usage_estimated.sql'`).Scan(&n))
			assert.Equal(t, 0, n, "keys %s migrated a database its (older) server holds open", tc.name)
			var keys, changed int
			require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*), count(revoked) + count(budget_usd) FROM api_keys`).Scan(&keys, &changed))
			assert.Equal(t, 1, keys, "keys %s added a key", tc.name)
			assert.Equal(t, 0, changed, "keys %s changed the key", tc.name)
		})
	}
}

// keys create while a current serve runs on the database is the usual way
// to add a client: a -wal file beside a database at this release's schema
// does not stop it.
func TestCLIKeysCreateWorksOnACurrentDatabaseAServerHoldsOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	conn := holdOpenInWALMode(t, path)

	_, stderr, err := runCmd(t, "keys", "create", "--name", "ci", "--db", path)
	require.NoError(t, err, stderr)

	var n int
	require.NoError(t, conn.QueryRowContext(context.Background(), `SELECT count(*) FROM api_keys WHERE name = 'ci'`).Scan(&n))
	assert.Equal(t, 1, n, "the running server does not see the new key")
}

// With no other process holding it, an older release's database is
// upgraded by keys create, as serve would, and gets the key.
func TestCLIKeysCreateUpgradesAnOlderDatabaseNoServerHolds(t *testing.T) {
	path := olderReleaseDB(t)

	_, stderr, err := runCmd(t, "keys", "create", "--name", "ci", "--db", path)
	require.NoError(t, err, stderr)

	s, err := store.OpenForReading(path)
	require.NoError(t, err, "the database was not upgraded")
	defer s.Close()
	keys, err := s.ListKeys(context.Background())
	require.NoError(t, err)
	assert.Len(t, keys, 2)
}
