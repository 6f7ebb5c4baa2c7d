package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An entry added by hand whose price fields are misspelt (or left as {} or
// null to fill in later) holds no price: read as $0 it would make the model
// the cheapest candidate of every band sweep, which is why an unpriced
// model is left out of models.json. A later export does not call it a kept
// price: the model is still named as having none, with the fields to set.
func TestExportFeedbackDoesNotKeepAHandEntryWithoutItsPrices(t *testing.T) {
	const retired = "retired-model-2023"
	for name, entry := range map[string]string{
		"misspelt fields": `{"input_usd_per_1m": 3, "output_usd_per_1m": 12}`,
		"placeholder":     `{}`,
		"null":            `null`,
	} {
		t.Run(name, func(t *testing.T) {
			db := ratedLogOf(t, "gpt-4.1-2025-04-14", retired)
			dir := filepath.Join(t.TempDir(), "traffic")
			_, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
			require.NoError(t, err, stderr)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"),
				[]byte(`{"models": {"`+retired+`": `+entry+`}}`), 0o644))

			stdout, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
			said := stderr
			if err != nil {
				said += err.Error()
			}
			assert.NotContains(t, stdout, "kept the price of "+retired, "an entry without prices is not a price")
			assert.Contains(t, said, retired)
			assert.Contains(t, said, "input_usd_per_mtok", "the user is told which fields price the model")
		})
	}
}
