package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// editModelsJSON changes the prices in an export's models.json as a user
// would by hand.
func editModelsJSON(t *testing.T, dir string, edit func(map[string]dataset.Price)) {
	t.Helper()
	path := filepath.Join(dir, "models.json")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var mj struct {
		Models map[string]dataset.Price `json:"models"`
	}
	require.NoError(t, json.Unmarshal(raw, &mj))
	edit(mj.Models)
	raw, err = json.MarshalIndent(mj, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, raw, 0o644))
}

// The warning of an unpriced model asks the user to add its price to
// models.json by hand; exporting again into the same folder (the log has
// grown) keeps that price rather than losing it and warning again. A
// catalog model's price stays the catalog's, an edit of it included.
func TestExportFeedbackKeepsAPriceAddedByHandToModelsJSON(t *testing.T) {
	const retired = "retired-model-2023"
	catalogID := "gpt-4.1-2025-04-14"
	cat, err := models.Catalog()
	require.NoError(t, err)
	catalogModel, ok := cat.Model(catalogID)
	require.True(t, ok)
	db := ratedLogOf(t, catalogID, retired)
	dir := filepath.Join(t.TempDir(), "traffic")

	_, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)
	require.Contains(t, stderr, retired+" is not in this build's catalog")

	hand := dataset.Price{Input: 3, Output: 12, Source: "my invoice", Ref: "2023 price list"}
	editModelsJSON(t, dir, func(m map[string]dataset.Price) {
		m[retired] = hand
		m[catalogID] = dataset.Price{Input: 99, Output: 99}
	})

	stdout, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)
	assert.NotContains(t, stderr, "is not in this build's catalog", "the model has a price now")
	assert.Contains(t, stdout+stderr, "kept the price of "+retired)
	assert.Contains(t, stderr, catalogID+" is in this build's catalog", "the edit of a catalog price is not dropped silently")

	d, err := dataset.Load(dir)
	require.NoError(t, err)
	assert.Equal(t, hand, d.Models[retired], "the price added by hand")
	assert.Equal(t, catalogModel.InputPerMTok, d.Models[catalogID].Input, "a catalog model takes the catalog's price")
	assert.Equal(t, catalogModel.OutputPerMTok, d.Models[catalogID].Output)
	for _, m := range []string{retired, catalogID} {
		_, err := d.PriceOf(m)
		assert.NoError(t, err, "train takes the labels of %s", m)
	}
}

// A models.json that an export cannot read (a typo in a hand edit) is not
// replaced, which would drop the prices added to it: the export refuses,
// naming the file, and leaves the folder as it was.
func TestExportFeedbackRefusesAModelsJSONItCannotRead(t *testing.T) {
	db := ratedLogOf(t, "gpt-4.1-2025-04-14", "retired-model-2023")
	dir := filepath.Join(t.TempDir(), "traffic")
	_, stderr, err := runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.NoError(t, err, stderr)
	path := filepath.Join(dir, "models.json")
	broken := []byte(`{"models": {"retired-model-2023": {"input_usd_per_mtok": 3,}}}`)
	require.NoError(t, os.WriteFile(path, broken, 0o644))

	_, _, err = runCmd(t, "export-feedback", "--db", db, "--out", dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path)
	after, readErr := os.ReadFile(path)
	require.NoError(t, readErr)
	assert.Equal(t, string(broken), string(after), "the file with the user's edit is left as it was")
}
