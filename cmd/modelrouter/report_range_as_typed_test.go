package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `report --until` before `--since` names both as typed, not the midnight
// that ends the --until day (2026-11-02T00:00:00Z for 2026-11-01).
func TestReportRefusesUntilBeforeSinceNamingBothAsTyped(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	err := runReport(context.Background(), []string{"--db", db, "--since", "2026-11-02", "--until", "2026-11-01"}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `until "2026-11-01" must be after since "2026-11-02"`)
	assert.NotContains(t, err.Error(), "T00:00:00Z")
}
