package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// train --epochs 0 trained for the default 3 epochs without a word, as
// did --loto-epochs 0 (2) and --lr 0 (Adam's default step size): none of
// them is a value training can run with. Each is refused, naming the
// flag and its value, before any data is read, as --members 0 is.
func TestTrainRefusesZeroEpochsAndStepSizeBeforeReadingData(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 8, gptAlwaysRight)
	for _, tc := range []struct{ flag, value string }{
		{"--epochs", "0"}, {"--epochs", "-2"}, {"--loto-epochs", "0"}, {"--lr", "0"}, {"--lr", "-0.001"},
	} {
		_, stderr, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0", "--tokenizer-answers", "0", "--pretrain-scale", "0",
			"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--members", "1", "--workers", "1",
			"--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256", "--out", t.TempDir(),
			tc.flag, tc.value)
		if assert.Error(t, err, "%s %s", tc.flag, tc.value) {
			assert.Contains(t, err.Error(), tc.flag+" "+tc.value+": want", "the message names the flag, its value and what it wants")
			assert.NotContains(t, err.Error(), "must not be negative", "named alone, not in a list of flags")
		}
		assert.NotContains(t, stderr, "read toy", "%s %s: refused before any data is read", tc.flag, tc.value)
	}
}

// train -h shows the epochs and step size train takes, not "0: the
// default".
func TestTrainHelpShowsTheDefaultEpochsAndStepSize(t *testing.T) {
	flags := commandHelpFlags(t, "train")
	assert.Equal(t, "3", flags["epochs"].def)
	assert.Equal(t, "0.002", flags["lr"].def)
}
