package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// NaN and Inf parse as floats and pass every "below 0" check. Given to
// train's numeric options they made a loss of NaN (train then hung for
// good), were read as "the default" without a word (--lr NaN), or failed
// at the very end writing router.json (--pretrain-scale NaN). Each is
// refused, naming the flag, before any data is read; as are the
// model's shape flags (--dim, --hidden, --z, --buckets) below 1, which
// failed only after the tokenizer was learnt, naming a Go struct.
func TestTrainRefusesNonFiniteAndOutOfRangeOptionsBeforeReadingData(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 8, gptAlwaysRight)
	for _, tc := range []struct{ flag, value string }{
		{"--pair-weight", "NaN"}, {"--task-weight", "NaN"}, {"--emb-init", "NaN"}, {"--w1-init", "+Inf"},
		{"--lr", "NaN"}, {"--lr", "+Inf"}, {"--weight-decay", "NaN"}, {"--emb-lr", "NaN"}, {"--ema", "NaN"},
		{"--token-drop", "NaN"}, {"--profile-decay", "NaN"}, {"--profile-decay", "+Inf"}, {"--pretrain-scale", "NaN"},
		{"--pretrain-scale", "-1"}, {"--dim", "0"}, {"--hidden", "-4"}, {"--z", "0"}, {"--buckets", "0"},
	} {
		_, stderr, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0", "--tokenizer-answers", "0", "--pretrain-scale", "0",
			"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--workers", "1", "--out", t.TempDir(),
			tc.flag, tc.value)
		if assert.Error(t, err, "%s %s", tc.flag, tc.value) {
			assert.Contains(t, err.Error(), tc.flag+" "+tc.value, "the message names the flag and its value")
		}
		assert.NotContains(t, stderr, "read toy", "%s %s: refused before any data is read", tc.flag, tc.value)
	}
}
