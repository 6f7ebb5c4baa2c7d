package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// The README's loop extends the served model in place (add-profile
// --router-model DIR --out DIR on a copy of models/artifacts/). The
// folder's PROVENANCE.md then lists the added profile and still carries the
// trained model's own provenance: how it was made, and its content hash.
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
	// The trained model's own record of how it was made, after the
	// added profile.
	want := "Content hash: `" + base0 + "`"
	require.Contains(t, string(base), want)
	prov := string(mustRead(t, filepath.Join(dir, "PROVENANCE.md")))
	assert.Contains(t, prov, want, "the trained model's content hash line")
	assert.Contains(t, prov, "## How it was made", "the trained model's provenance")
	assert.Less(t, strings.Index(prov, "## "+card.AddedProfiles[0].Profile), strings.Index(prov, "## How it was made"),
		"the added profile comes first:\n%s", prov)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
