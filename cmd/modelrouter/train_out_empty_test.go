package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// An empty --out (a script's unset "$OUT") names no folder: train refuses
// it before reading any data, instead of training to the end and failing
// then with "mkdir : no such file or directory".
func TestTrainRefusesAnEmptyOutBeforeTraining(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 8, gptAlwaysRight)
	_, stderr, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0", "--pretrain-scale", "0",
		"--tokenizer-answers", "0", "--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1",
		"--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256", "--workers", "1", "--out", "")
	assert.ErrorContains(t, err, "--out is empty")
	assert.NotContains(t, stderr, "read toy", "no data was read")
	assert.NotContains(t, stderr, "loss", "nothing was trained")
}
