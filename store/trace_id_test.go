package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The log keeps a call's W3C trace id, and reads it back; a row logged
// before the log kept it (migration 0012) reads as a call without one.
func TestTheLogKeepsACallsTraceID(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	old := sampleRecord("req-old", sampleTime)
	logged(t, s, old)
	// The file as the release before 0012 left it: its column dropped.
	for _, q := range []string{`DELETE FROM migrations WHERE name = '0012_trace_id.sql'`,
		`ALTER TABLE decisions DROP COLUMN trace_id`} {
		_, err := s.DB().Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, s.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	traced := sampleRecord("req-traced", sampleTime.Add(1))
	traced.TraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	logged(t, s, traced)
	rows, err := s.Decisions(ctx, store.DecisionFilter{})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Empty(t, rows[0].TraceID, "logged before the column")
	assert.Equal(t, traced.TraceID, rows[1].TraceID)
	var n int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM decisions WHERE trace_id = ?`, traced.TraceID).Scan(&n))
	assert.Equal(t, 1, n, "found by sqlite3 by its trace id")
}
