package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// rewriteFile replaces old with new in dir/name, so a test can break one
// rule of the routing dataset format in an otherwise valid toy dataset.
func rewriteFile(t *testing.T, dir, name, old, new string) {
	t.Helper()
	p := filepath.Join(dir, name)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(b), old)
	require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(string(b), old, new)), 0o644))
}

// The format says score is in [0, 1]. A dataset on a judge's 1-10 scale
// must be refused with the rule, not clamped to 1 everywhere: clamped, the
// model learns nothing and the bands go to the top of the grid (every
// request routed to the cheapest model), with a "trained" message.
func TestRunRefusesScoresOutsideTheUnitInterval(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 120, 1)
	rewriteFile(t, a, "items.jsonl", `"score": 1.0, `, `"score": 10, `)
	rewriteFile(t, a, "items.jsonl", `"score": 1, `, `"score": 10, `)
	rewriteFile(t, a, "items.jsonl", `"score": 0, `, `"score": 1, `)
	_, err := Run(context.Background(), tinyOptions(filepath.Join(dir, "out"), a))
	require.Error(t, err, "scores 1..10 were trained on")
	assert.Contains(t, err.Error(), "items.jsonl line 1")
	assert.Contains(t, err.Error(), "score 10 is outside [0,1]")
	_, statErr := os.Stat(filepath.Join(dir, "out", "router.json"))
	assert.True(t, os.IsNotExist(statErr), "a model was written from out-of-range scores")
}

// A model that answers in items.jsonl but has no price in models.json
// must stop training (as eval does: "has quality labels but no price"),
// not be priced at $0: a free candidate wins every band sweep, so the
// bands are chosen on fake costs.
func TestRunRefusesAModelWithoutAPrice(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 120, 1)
	rewriteFile(t, a, "models.json", `,
		"weak_model@cheap": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.3}`, "")
	_, err := Run(context.Background(), tinyOptions(filepath.Join(dir, "out"), a))
	require.Error(t, err, "a model without a price was trained on at $0")
	assert.Contains(t, err.Error(), `model "weak_model@cheap" has quality labels but no price in dataset zeroeval-math: models.json has no entry for it`)
}

// A models.json entry written with prices per token under LiteLLM's names
// instead of the format's USD per million tokens decoded as $0: train chose
// the bands on a free model without a word. It stops as eval does, naming
// the fields the entry has and the ones the format wants.
func TestRunRefusesAPriceEntryWithoutTheFormatsPriceFields(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 120, 1)
	rewriteFile(t, a, "models.json", `"weak_model@cheap": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.3}`,
		`"weak_model@cheap": {"input_cost_per_token": 1e-7, "output_cost_per_token": 3e-7}`)
	_, err := Run(context.Background(), tinyOptions(filepath.Join(dir, "out"), a))
	require.Error(t, err, "a model priced per token was trained on at $0")
	assert.Contains(t, err.Error(), `model "weak_model@cheap" has quality labels but no price in dataset zeroeval-math`)
	assert.Contains(t, err.Error(), "only input_cost_per_token, output_cost_per_token")
	assert.Contains(t, err.Error(), "input_usd_per_mtok and output_usd_per_mtok")
	_, statErr := os.Stat(filepath.Join(dir, "out", "router.json"))
	assert.True(t, os.IsNotExist(statErr), "a model was written from $0 prices")
}

// With --val > 0 but too few prompts for any to land in validation, there
// is no calibration and no band choice: training must say so rather than
// write a card whose validation BCE and ECE read 0 (perfect) and whose
// bands are the defaults.
func TestRunWithoutAnyValidationPromptSaysSo(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 20, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.Val = 1e-9
	opt.Epochs = 2
	_, err := Run(context.Background(), opt)
	require.Error(t, err, "a model was written with 0 validation prompts and no warning")
	assert.Contains(t, err.Error(), "none of the 20 prompts landed in validation")
	assert.Contains(t, err.Error(), "--val 0", "the message names the way to train without validation")
	_, statErr := os.Stat(filepath.Join(dir, "out", "router.json"))
	assert.True(t, os.IsNotExist(statErr))
}

// With --val 0 the model is exported with the identity calibration
// (Platt A=1, B=0). The card must record the calibration the model
// carries, not A=0, B=0, which read as "every prediction is 0.5".
func TestCardRecordsTheCalibrationTheModelCarriesWithoutValidation(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	out := filepath.Join(dir, "out")
	opt := tinyOptions(out, a)
	opt.Val = 0
	opt.Epochs = 2
	_, err := Run(context.Background(), opt)
	require.NoError(t, err)
	m := writtenMetrics(t, out)
	assert.Equal(t, 0, m.Validation.Prompts)
	assert.Equal(t, 1.0, m.Validation.Platt.A, "the card's Platt scaling is not the one folded into router.onnx")
	assert.Equal(t, 0.0, m.Validation.Platt.B)
	assert.Equal(t, chosenOnDefaults, m.Bands.ChosenOn, "the card must say the bands were not chosen on data")

	// No BCE or ECE of 0 that would read as perfect: the numbers are absent.
	files, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	var raw struct {
		Validation map[string]json.RawMessage `json:"validation"`
	}
	require.NoError(t, json.Unmarshal(card.Metrics, &raw))
	for _, k := range []string{"bce", "ece", "auc", "within_prompt_auc"} {
		assert.NotContains(t, raw.Validation, k)
	}
	assert.Contains(t, string(raw.Validation["note"]), "not measured")
}

// --data DIR --data DIR (or a root and one dataset in it) names one
// dataset twice: it must be read once, not counted as two datasets with
// every prompt and label doubled.
func TestRunReadsADatasetNamedTwiceOnce(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), a, a)
	opt.Epochs = 2
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, 60, len(res.Corpus.Examples), "the same dataset's prompts were read twice")
	assert.Equal(t, 1, len(res.Corpus.Datasets), "the same dataset became two datasets (two score offsets)")
}

// A root and a dataset inside it, or one folder spelt two ways, name one
// dataset: it is listed once, and the repeat is reported as named.
func TestResolveDataListsARepeatedFolderOnce(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "llmrouter", 5, 1)
	b := writeToyDataset(t, dir, "mmlu-pro", 5, 1)
	again := dir + string(filepath.Separator) + "." + string(filepath.Separator) + "llmrouter"
	dirs, _, repeated, err := ResolveData([]string{dir, a, again}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{a, b}, dirs)
	assert.Equal(t, []string{a, again}, repeated)
}

// Without an Arena-Hard answers folder the run stops before reading any
// data, with a message that names what to pass (and no empty path).
func TestRunWithoutAnswersSaysWhatToPassFirst(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 20, 1)
	var log strings.Builder
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.Log = &log
	opt.PretrainScale, opt.PretrainAnswers, opt.AnswersDir = 0.1, 100, ""
	_, err := Run(context.Background(), opt)
	require.Error(t, err)
	for _, want := range []string{"no Arena-Hard answers folder", "--answers-dir", "--pretrain-scale 0", "--tokenizer-answers 0"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, log.String(), "read zeroeval-math", "the data was read before the run stopped")

	opt.AnswersDir = t.TempDir()
	_, err = Run(context.Background(), opt)
	require.ErrorContains(t, err, "no *.jsonl files in "+opt.AnswersDir)
}

// train replaces a router model's files in --out, not a router.json of
// something else; a folder with a router model in it is retrained in place.
func TestRunRefusesAnOutWhoseRouterJSONIsNotARouterModel(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	out := filepath.Join(dir, "out")
	require.NoError(t, os.MkdirAll(out, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "router.json"), []byte(`{"routes": ["/a"]}`), 0o644))
	opt := tinyOptions(out, a)
	opt.Epochs = 2
	_, err := Run(context.Background(), opt)
	require.ErrorContains(t, err, "is not a router model's card")
	b, err := os.ReadFile(filepath.Join(out, "router.json"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"routes": ["/a"]}`, string(b), "the file was replaced")

	other := filepath.Join(dir, "model")
	opt.Out = other
	_, err = Run(context.Background(), opt)
	require.NoError(t, err)
	_, err = Run(context.Background(), opt)
	require.NoError(t, err, "retraining over a router model")
}
