package store_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

func TestOpenCreatesDirectoryAndAppliesMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "dir", "modelrouter.db")
	for range 2 {
		s, err := store.Open(path)
		require.NoError(t, err)
		var names []string
		rows, err := s.DB().Query(`SELECT name FROM migrations ORDER BY name`)
		require.NoError(t, err)
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			names = append(names, n)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		assert.Equal(t, []string{"0001_init.sql", "0002_responses.sql", "0003_response_ids.sql", "0004_key_ids.sql", "0005_key_budgets.sql", "0006_usage_estimated.sql", "0007_pruned_spend.sql", "0008_owned_ids.sql", "0009_key_spend_index.sql", "0010_report_days.sql", "0011_answers_and_job_end.sql", "0012_trace_id.sql"}, names, "each migration recorded exactly once")
		require.NoError(t, s.Close())
	}
	_, err := os.Stat(path)
	require.NoError(t, err)
}

func TestOpenKeepsDataAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	s.Log().Record(sampleRecord("kept", sampleTime))
	require.NoError(t, s.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, 1, countDecisions(t, s))
}

func TestOpenSetsPragmas(t *testing.T) {
	s := MustOpen(t)
	var mode string
	var fk int
	require.NoError(t, s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	require.NoError(t, s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk))
	assert.Equal(t, "wal", mode)
	assert.Equal(t, 1, fk)
}

func TestOpenRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts []store.Option
		want string
	}{
		{"empty path", "", nil, "empty database path"},
		{"question mark", filepath.Join(dir, "a?b.db"), nil, "may not contain"},
		{"zero buffer", filepath.Join(dir, "x.db"), []store.Option{store.WithLogBuffer(0)}, "must be positive"},
		{"zero batch", filepath.Join(dir, "x.db"), []store.Option{store.WithBatchSize(0)}, "must be positive"},
		{"negative commit interval", filepath.Join(dir, "x.db"), []store.Option{store.WithCommitInterval(-time.Second)}, "not negative"},
		{"not a database", writeFile(t, filepath.Join(dir, "junk.db"), "this is not sqlite, just text long enough to fill a header......."), nil, "junk.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := store.Open(tt.path, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestOpenInMemory(t *testing.T) {
	s, err := store.Open(":memory:")
	require.NoError(t, err)
	defer s.Close()
	logged(t, s, sampleRecord("mem", sampleTime))
	assert.Equal(t, 1, countDecisions(t, s))
}

func writeFile(t *testing.T, path, body string) string {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}
