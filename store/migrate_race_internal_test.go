package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Processes that open one partly migrated file at once (a `serve` and a
// `keys create` started together after an upgrade) each find the same
// migrations missing before any transaction; the one that waits for the
// write lock finds them applied by the other and skips them, rather than
// running 0004's ALTER TABLE a second time ("duplicate column name") and
// failing to open.
func TestOpensOfAPartlyMigratedFileAtOnceApplyEachMigrationOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "partly.db")
	db, err := sql.Open(driverName, path+"?_journal_mode=WAL&_txlock=immediate")
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)`)
	require.NoError(t, err)
	for _, name := range []string{"0001_init.sql", "0002_responses.sql", "0003_response_ids.sql"} {
		require.NoError(t, applyMigration(context.Background(), db, "migrations/"+name))
	}
	require.NoError(t, db.Close())

	const opens = 8
	errs := make([]error, opens)
	var wg sync.WaitGroup
	for i := range opens {
		wg.Go(func() {
			s, err := Open(path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, fmt.Sprintf("open %d", i))
	}
	s, err := Open(path)
	require.NoError(t, err)
	defer s.Close()
	var n, distinct int
	require.NoError(t, s.db.QueryRow(`SELECT count(*), count(DISTINCT name) FROM migrations`).Scan(&n, &distinct))
	assert.Equal(t, distinct, n, "a migration recorded twice")
}
