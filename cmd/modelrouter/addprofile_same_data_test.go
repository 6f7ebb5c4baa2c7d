package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// train reads a dataset folder named twice once; add-profile reads the
// same --data, so the same folder named twice must not count every
// labelled answer twice (twice the labels would also pass --min-labels
// with half the data).
func TestAddProfileReadsADatasetNamedTwiceOnce(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	data := writeRatedAnswers(t, 60)
	out := filepath.Join(t.TempDir(), "router-model")
	stdout, stderr, err := runCmd(t, "add-profile", "--data", data, "--data", data+string(filepath.Separator), "--model", gpt5mini, "--out", out)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "added profile "+gpt5mini+": 60 labelled answers")

	// 40 answers are too few for a profile, named once or twice.
	few := writeRatedAnswers(t, 40)
	_, _, err = runCmd(t, "add-profile", "--data", few, "--data", few, "--model", gpt5mini, "--out", filepath.Join(t.TempDir(), "few"))
	assert.ErrorContains(t, err, "40 labelled answers")
}

// Two dataset ids of one model (a provider prefix, another case) take one
// profile name by default: the second cannot be added after the first, so
// the pair is refused before anything is written to --out, as two equal
// --model names are.
func TestAddProfileRefusesTwoModelsOfOneProfileBeforeWriting(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	other := "openai/" + gpt5mini
	require.Equal(t, models.ProfileName(gpt5mini), models.ProfileName(other))
	dir := filepath.Join(t.TempDir(), "traffic")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"`+gpt5mini+`": {"input_usd_per_mtok": 0.25, "output_usd_per_mtok": 2},
		"`+other+`": {"input_usd_per_mtok": 0.25, "output_usd_per_mtok": 2}}}`), 0o644))
	var b strings.Builder
	for i := range 60 {
		score := float64(i % 2)
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("traffic/%d", i), "source": "traffic", "task": "t",
			"prompt": fmt.Sprintf("Write a poem about the number %d.", i), "input_tokens": 10,
			"results": map[string]any{gpt5mini: map[string]any{"score": score, "output_tokens": 50}, other: map[string]any{"score": 1 - score, "output_tokens": 50}}})
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(b.String()), 0o644))

	out := filepath.Join(t.TempDir(), "router-model")
	_, _, err := runCmd(t, "add-profile", "--data", dir, "--model", gpt5mini, "--model", other, "--out", out)
	require.Error(t, err)
	assert.ErrorContains(t, err, "--model "+gpt5mini+" and --model "+other)
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "the first profile was written to --out before the second was refused: %v", err)
}

// A later --model whose profile the router model has already is refused
// before the earlier one is written, not after.
func TestAddProfileRefusesAProfileTheBaseHasBeforeWriting(t *testing.T) {
	files, err := models.Artifacts()
	if err != nil {
		t.Skip(err)
	}
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	existing := card.Profiles[0]
	out := filepath.Join(t.TempDir(), "router-model")
	_, _, err = runCmd(t, "add-profile", "--data", writeRatedAnswers(t, 60), "--model", gpt5mini, "--model", existing, "--out", out)
	assert.ErrorContains(t, err, "already has a profile")
	_, statErr := os.Stat(out)
	assert.True(t, os.IsNotExist(statErr), "the first profile was written to --out before the second was refused: %v", err)
}

// README "Adding one model without retraining": a Bedrock spelling of a
// model the router model has a profile of is read as that profile, so
// add-profile without --profile says the profile exists rather than adding
// a second one under the Bedrock name.
func TestAddProfileReadsABedrockNameAsTheProfileItNames(t *testing.T) {
	if _, err := models.Artifacts(); err != nil {
		t.Skip(err)
	}
	data := writeRatedAnswers(t, 60)
	for in, profile := range map[string]string{
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0": "claude-3-5-sonnet-20241022",
		"anthropic.claude-3-haiku-20240307-v1:0:48k":   "claude-3-haiku-20240307",
	} {
		out := filepath.Join(t.TempDir(), "router-model")
		_, _, err := runCmd(t, "add-profile", "--data", data, "--model", in, "--out", out)
		assert.ErrorContains(t, err, `the router model already has a profile "`+profile+`"`, in)
		_, statErr := os.Stat(out)
		assert.True(t, os.IsNotExist(statErr), "%s: written to --out", in)
	}
}
