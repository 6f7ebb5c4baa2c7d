package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// With token vectors on (--pretrain-scale above 0) and no --pretrain-prompts,
// --pretrain-answers 0 (or a negative count) leaves the vectors no text to
// learn from: train read and tokenized every dataset and learned its
// tokenizer, then stopped with "pretrain: no co-occurring tokens in the
// documents", naming no flag. It is refused before any data is read, naming
// the flag and what to do instead, as the other numeric options are.
func TestTrainRefusesPretrainingOnNoAnswersBeforeReadingData(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 8, gptAlwaysRight)
	answers := filepath.Dir(writeFile(t, "m.jsonl", `{"choices":[{"turns":[{"content":"an answer with some words in it"}]}]}`+"\n"))
	for _, value := range []string{"0", "-1"} {
		_, stderr, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0", "--tokenizer-answers", "0",
			"--answers-dir", answers, "--pretrain-scale", "0.1", "--pretrain-answers", value, "--levels", "none",
			"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--members", "1", "--workers", "1",
			"--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256", "--out", t.TempDir())
		if assert.Error(t, err, "--pretrain-answers %s", value) {
			assert.Contains(t, err.Error(), "--pretrain-answers "+value+":", "the message names the flag and its value")
			assert.Contains(t, err.Error(), "--pretrain-scale 0", "and says how to train without token vectors")
		}
		assert.NotContains(t, stderr, "read toy", "--pretrain-answers %s: refused before any data is read", value)
	}
}
