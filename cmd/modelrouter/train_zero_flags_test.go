package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// train --epochs 0 trained for the default 3 epochs without a word, as
// did --loto-epochs 0 (2), --lr 0 (Adam's default step size) and
// --w1-init 0 (a scale of 1): none of them is a value training can run
// with (a zero first layer sits at relu's kink and never learns). Each is refused, naming the
// flag and its value, before any data is read, as --members 0 is.
func TestTrainRefusesZeroEpochsAndStepSizeBeforeReadingData(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 8, gptAlwaysRight)
	for _, tc := range []struct{ flag, value string }{
		{"--epochs", "0"}, {"--epochs", "-2"}, {"--loto-epochs", "0"}, {"--lr", "0"}, {"--lr", "-0.001"}, {"--w1-init", "0"},
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

// --weight-decay 0, --ema 0, --emb-lr 0 and --emb-init 0 each mean what
// they say (no decay; the last step's weights, no average; a frozen
// embedding table; a zero one to start from) and reach the trainer as 0,
// which router.json records from the config the fit ran with. They used
// to be read as the default (0.01, 0.99, 1, 1) without a word. The other
// three keep their defaults.
func TestTrainTakesZeroDecayAverageAndEmbeddingSettingsAsGiven(t *testing.T) {
	data := writeEvalDataset(t, t.TempDir(), "toy", map[string][2]float64{"a-model": {1, 1}, "b-model": {2, 2}}, 8, gptAlwaysRight)
	defaults := map[string]float64{"weight_decay": 0.01, "ema": 0.99, "emb_lr_scale": 1, "emb_init": 0.05}
	for _, tc := range []struct{ flag, field string }{
		{"--weight-decay", "weight_decay"}, {"--ema", "ema"}, {"--emb-lr", "emb_lr_scale"}, {"--emb-init", "emb_init"},
	} {
		out := t.TempDir()
		_, stderr, err := runCmd(t, "train", "--data", data, "--allow-unlicensed", "--val", "0", "--tokenizer-answers", "0", "--pretrain-scale", "0",
			"--leave-one-out=false", "--leave-one-task-out=false", "--epochs", "1", "--members", "1", "--workers", "1",
			"--dim", "8", "--hidden", "8", "--z", "8", "--buckets", "256", "--out", out, tc.flag, "0")
		require.NoError(t, err, "%s 0: %s", tc.flag, stderr)
		raw, err := os.ReadFile(filepath.Join(out, "router.json"))
		require.NoError(t, err)
		var card struct {
			Metrics struct {
				Training map[string]any `json:"training"`
			} `json:"metrics"`
		}
		require.NoError(t, json.Unmarshal(raw, &card))
		for field, def := range defaults {
			want := def
			if field == tc.field {
				want = 0
			}
			assert.Equal(t, want, card.Metrics.Training[field], "%s 0: router.json training.%s", tc.flag, field)
		}
		if tc.flag == "--ema" {
			prov, err := os.ReadFile(filepath.Join(out, "PROVENANCE.md"))
			require.NoError(t, err)
			assert.Contains(t, string(prov), "exported weights = the last step's", "PROVENANCE.md does not claim an average")
		}
	}
}

// train -h shows the decay, average and embedding step-size multiplier
// train uses, and none of the five flags says a 0 stands for another value.
func TestTrainHelpShowsTheDefaultDecayAverageAndEmbeddingStep(t *testing.T) {
	flags := commandHelpFlags(t, "train")
	assert.Equal(t, "0.01", flags["weight-decay"].def)
	assert.Equal(t, "0.99", flags["ema"].def)
	assert.Equal(t, "1", flags["emb-lr"].def)
	help, _, _ := runCmd(t, "train", "-h")
	for _, f := range []string{"weight-decay", "ema", "emb-lr", "emb-init", "w1-init"} {
		usage := flagUsage(help, f)
		require.NotEmpty(t, usage, "-%s is in train -h", f)
		assert.NotContains(t, usage, "0: the default", "-%s", f)
		assert.NotContains(t, usage, "(0: 1)", "-%s", f)
	}
}

// flagUsage is flag's entry in a -h text: its line and the usage line
// below it.
func flagUsage(help, flag string) string {
	lines := strings.Split(help, "\n")
	for i, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "-"+flag && i+1 < len(lines) {
			return l + "\n" + lines[i+1]
		}
	}
	return ""
}
