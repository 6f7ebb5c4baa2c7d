package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The price the warning asks for, added in an editor that saves "UTF-8
// with BOM" (Notepad), is a price train reads (dataset.Load skips the
// mark): a later export keeps it rather than refuse the file as one it
// cannot read.
func TestExportFeedbackKeepsAHandPriceSavedWithAByteOrderMark(t *testing.T) {
	const retired = "retired-model-2023"
	db := ratedLogOf(t, "gpt-4.1-2025-04-14", retired)
	dir := filepath.Join(t.TempDir(), "traffic")
	_, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
		[]byte("\ufeff"+`{"models": {"`+retired+`": {"input_usd_per_mtok": 3, "output_usd_per_mtok": 12}}}`+"\r\n"), 0o644))

	stdout, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "kept the price of "+retired)
	assert.NotContains(t, stderr, retired+" is not in this build's catalog")
}
