package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A price entry added by hand may carry more than the four price fields
// (the shipped mmlu-pro dataset's entries have source_model_id; a user
// notes where a price came from). An export into the same folder keeps the
// entry as the user wrote it, not only its price.
func TestExportFeedbackKeepsEveryFieldOfAPriceEntryAddedByHand(t *testing.T) {
	const retired = "retired-model-2023"
	db := ratedLogOf(t, "gpt-4.1-2025-04-14", retired)
	dir := filepath.Join(t.TempDir(), "traffic")
	_, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)

	path := filepath.Join(dir, "models.json")
	var mj map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(mustRead(t, path), &mj))
	mj["models"][retired] = map[string]any{"input_usd_per_mtok": 3.0, "output_usd_per_mtok": 12.0,
		"price_source": "invoice", "price_ref": "INV-2023-114",
		"source_model_id": "acme/retired-model-2023", "note": "contract price until 2027"}
	raw, err := json.MarshalIndent(mj, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, raw, 0o644))

	_, stderr, err = runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)
	var after map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(mustRead(t, path), &after))
	assert.Equal(t, mj["models"][retired], after["models"][retired], "the entry added by hand lost fields")
}
