package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// The README's loop extends the served model in place (add-profile
// --router-model data/router-model --out data/router-model), the folder
// being "a copy of models/artifacts/", which holds the base model's
// PROVENANCE.md (how it was trained: command, seed, data and licences,
// metrics). add-profile overwrites that file with a short one whose text
// says "Every other output is the base model's; its training, data and
// metrics are in router.json and in the base model's PROVENANCE.md" — the
// file it has just destroyed. The base model's provenance must survive the
// extension (kept, or carried into the new file).
func TestAddProfileInPlaceKeepsTheBaseProvenance(t *testing.T) {
	dir := servedCopy(t)
	base, err := os.ReadFile(filepath.Join("..", "..", "models", "artifacts", "PROVENANCE.md"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "PROVENANCE.md"), base, 0o644)) // a copy of models/artifacts/

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini,
		"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())
	require.Contains(t, stdout.String(), "added profile "+gpt5mini)

	card, err := models.ParseCard(mustRead(t, filepath.Join(dir, models.RouterJSONFile)))
	require.NoError(t, err)
	require.Len(t, card.AddedProfiles, 1)
	base0 := card.AddedProfiles[0].BaseContentHash
	// The base's own record of how it was made, in whatever file of the
	// folder a fix keeps it.
	want := "Content hash: `" + base0 + "`"
	require.Contains(t, string(base), want)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	kept := false
	for _, e := range entries {
		if !e.IsDir() && bytes.Contains(mustRead(t, filepath.Join(dir, e.Name())), []byte(want)) &&
			bytes.Contains(mustRead(t, filepath.Join(dir, e.Name())), []byte("## How it was made")) {
			kept = true
		}
	}
	assert.True(t, kept, "the base model's (%s) provenance is gone from the folder after extending it in place; PROVENANCE.md now reads:\n%s",
		base0, mustRead(t, filepath.Join(dir, "PROVENANCE.md")))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
