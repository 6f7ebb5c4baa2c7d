package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A database this process may only read (`keys list` on a read-only file)
// closes without error: the statistics PRAGMA optimize refreshes on close
// are an optimisation a reader cannot write, not a failure of the command
// that read it. query_only stands in for the file's permissions, which a
// test running as root would not feel.
func TestClosingAReadOnlyDatabaseIsNotAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "a")
	require.NoError(t, err)
	s.db.SetMaxOpenConns(1)
	_, err = s.db.Exec("PRAGMA query_only = ON")
	require.NoError(t, err)
	keys, err := s.ListKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 1)
	require.NoError(t, s.Close())
}
