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

// README "Adding one model without retraining": more ratings of a model
// whose profile add-profile added are not added on top of it (refused), and
// the refusal says how to refit it without a retrain: add it again to the
// model it was added to, here the embedded one. Following that advice
// works, and the served folder then holds the profile fitted on the new
// ratings alone.
func TestAddProfileSaysHowToRefitAProfileItAdded(t *testing.T) {
	dir := servedCopy(t)
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini,
		"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())

	more := writeRatedAnswers(t, 160)
	err := run(context.Background(), []string{"add-profile", "--data", more, "--model", gpt5mini,
		"--router-model", dir, "--out", dir}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, `already has a profile "`+gpt5mini+`"`)
	assert.ErrorContains(t, err, "leave out --router-model")
	assert.ErrorContains(t, err, "--model "+gpt5mini)
	assert.NotContains(t, err.Error(), "retrain", "a profile add-profile added is refitted by add-profile, not by a retrain")

	require.NoError(t, run(context.Background(), []string{"add-profile", "--data", more, "--model", gpt5mini, "--out", dir},
		&stdout, &stderr), stderr.String())
	card, err := models.ParseCard(mustRead(t, filepath.Join(dir, models.RouterJSONFile)))
	require.NoError(t, err)
	require.Len(t, card.AddedProfiles, 1)
	assert.Equal(t, 160, card.AddedProfiles[0].Labels)
}

// A model added under two profile names is refitted by two add-profile,
// the second on what the first wrote, as add-profile takes each --model
// once: the advice says so, and following it works.
func TestAddProfileRefitAdviceNamesAModelOnceAnAddProfile(t *testing.T) {
	dir := servedCopy(t)
	ctx := context.Background()
	var stdout, stderr bytes.Buffer
	for _, profile := range []string{"mini-a", "mini-b"} {
		require.NoError(t, run(ctx, []string{"add-profile", "--data", writeRatedAnswers(t, 120), "--model", gpt5mini, "--profile", profile,
			"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())
	}

	more := writeRatedAnswers(t, 160)
	err := run(ctx, []string{"add-profile", "--data", more, "--model", gpt5mini, "--profile", "mini-a",
		"--router-model", dir, "--out", dir}, &stdout, &stderr)
	require.Error(t, err)
	assert.ErrorContains(t, err, "the embedded one (leave out --router-model), with --model "+gpt5mini+" --profile mini-a, "+
		"then to the router model that wrote (--router-model its --out), with --model "+gpt5mini+" --profile mini-b")

	require.NoError(t, run(ctx, []string{"add-profile", "--data", more, "--model", gpt5mini, "--profile", "mini-a", "--out", dir},
		&stdout, &stderr), stderr.String())
	require.NoError(t, run(ctx, []string{"add-profile", "--data", more, "--model", gpt5mini, "--profile", "mini-b",
		"--router-model", dir, "--out", dir}, &stdout, &stderr), stderr.String())
	card, err := models.ParseCard(mustRead(t, filepath.Join(dir, models.RouterJSONFile)))
	require.NoError(t, err)
	require.Len(t, card.AddedProfiles, 2)
	for i, profile := range []string{"mini-a", "mini-b"} {
		assert.Equal(t, profile, card.AddedProfiles[i].Profile)
		assert.Equal(t, 160, card.AddedProfiles[i].Labels)
	}
}

// A profile the router model was trained with is changed by a retrain;
// the refusal still says so.
func TestAddProfileSaysATrainedProfileIsChangedByRetraining(t *testing.T) {
	files, err := models.Artifacts()
	if err != nil {
		t.Skip(err)
	}
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"add-profile", "--data", writeRatedAnswers(t, 60), "--model", card.Profiles[0],
		"--out", filepath.Join(t.TempDir(), "out")}, &stdout, &stderr)
	assert.ErrorContains(t, err, "retrain with `train --data`")
	assert.NotContains(t, err.Error(), "leave out --router-model")
}
