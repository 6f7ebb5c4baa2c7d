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

// A router model trained with --val 0 held no prompt out: its card says
// so (validation.prompts 0). eval --holdout-only on it would score the
// model on prompts it was trained on as if they were held out, so it is
// refused.
func TestEvalHoldoutOnlyOfAModelTrainedWithoutValidation(t *testing.T) {
	classifiertest.RequireRuntime(t)
	dir := filepath.Join(t.TempDir(), "toy")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"a-model": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2},
		"b-model": {"input_usd_per_mtok": 3, "output_usd_per_mtok": 6}}}`), 0o644))
	var b strings.Builder
	for i := range 120 {
		s := float64(i % 2)
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("toy/%d", i), "source": "toy", "task": "t",
			"prompt": fmt.Sprintf("Question number %d about topic %d.", i, i%7), "input_tokens": 10,
			"results": map[string]any{"a-model": map[string]any{"score": s, "output_tokens": 40}, "b-model": map[string]any{"score": 1.0, "output_tokens": 80}}})
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(b.String()), 0o644))
	out := filepath.Join(t.TempDir(), "model")
	_, stderr, err := runCmd(t, "train", "--data", dir, "--allow-unlicensed", "--val", "0", "--pretrain-scale", "0", "--tokenizer-answers", "0",
		"--epochs", "1", "--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256", "--workers", "1", "--out", out)
	require.NoError(t, err, stderr)

	stdout, stderr, err := runCmd(t, "eval", "--router-model", out, "--data", dir, "--holdout-only")
	assert.ErrorContains(t, err, "trained with --val 0")
	assert.NotContains(t, stdout+stderr, "prompts of the router model's holdout split",
		"every prompt was a training prompt of this model (--val 0), yet eval scores some as its holdout")

	// Without --holdout-only the same model is evaluated on every prompt.
	_, stderr, err = runCmd(t, "eval", "--router-model", out, "--data", dir)
	require.NoError(t, err, stderr)
}
