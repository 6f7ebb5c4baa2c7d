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

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
)

// add-profile fits the new profile on every prompt of its data. Its
// router model's holdout split of that data is then no holdout for the
// profile: eval --holdout-only must not score those prompts as unseen, as
// it must not for a model trained with --val 0.
func TestEvalHoldoutOnlyRefusesAProfileAddedFromTheSameData(t *testing.T) {
	classifiertest.RequireRuntime(t)
	const nano = "gpt-4.1-nano-2025-04-14"
	data := filepath.Join(t.TempDir(), "traffic")
	require.NoError(t, os.MkdirAll(data, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(data, "models.json"), []byte(`{"models": {
		"`+gpt5mini+`": {"input_usd_per_mtok": 0.25, "output_usd_per_mtok": 2},
		"`+nano+`": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.4}}}`), 0o644))
	var b strings.Builder
	for i := range 120 {
		text, nanoScore := fmt.Sprintf("Write a four-line poem about the sea, version %d.", i), 1.0
		if i%2 == 1 {
			text, nanoScore = fmt.Sprintf("Multiply %d by %d and show the working.", 1234+i, 5678+i), 0
		}
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("traffic/%d", i), "source": "traffic", "task": "model-router", "prompt": text, "input_tokens": 15,
			"results": map[string]any{gpt5mini: map[string]any{"score": 1, "output_tokens": 60}, nano: map[string]any{"score": nanoScore, "output_tokens": 30}}})
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(data, "items.jsonl"), []byte(b.String()), 0o644))
	extended := filepath.Join(t.TempDir(), "router-model")
	_, stderr, err := runCmd(t, "add-profile", "--data", data, "--model", nano, "--val", "0", "--out", extended)
	require.NoError(t, err, stderr)

	stdout, _, err := runCmd(t, "eval", "--data", data, "--router-model", extended, "--holdout-only")
	require.Error(t, err, "the added profile's own training prompts were scored as its holdout")
	assert.ErrorContains(t, err, "add-profile fitted on every prompt of dataset traffic")
	assert.NotContains(t, stdout, "router model's holdout split")

	// Without --holdout-only, or with the router model it was added to, the
	// same data is evaluated.
	_, stderr, err = runCmd(t, "eval", "--data", data, "--router-model", extended)
	require.NoError(t, err, stderr)
	_, stderr, err = runCmd(t, "eval", "--data", data, "--holdout-only")
	require.NoError(t, err, stderr)
}
