package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A step size far too large makes the fit blow up: its weights or its
// predictions are no longer finite numbers. train says so and what to
// lower, and writes nothing, rather than panic in the band search
// (index out of range) or fail writing router.json with
// "json: unsupported value: -Inf".
func TestTrainThatDivergesSaysSoAndWritesNothing(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 40, gptAlwaysRight)
	for _, lr := range []string{"1e300", "1e6"} {
		out := filepath.Join(t.TempDir(), "model")
		_, _, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0.5", "--tokenizer-answers", "0",
			"--pretrain-scale", "0", "--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--members", "1",
			"--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256", "--workers", "1", "--out", out, "--lr", lr)
		assert.ErrorContains(t, err, "training diverged", "--lr %s", lr)
		assert.ErrorContains(t, err, "lower --lr", "--lr %s", lr)
		_, statErr := os.Stat(out)
		assert.True(t, os.IsNotExist(statErr), "--lr %s: nothing written to --out", lr)
	}
}
