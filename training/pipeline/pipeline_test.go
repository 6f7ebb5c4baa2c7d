package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/onnx"
	"github.com/modelrouter/modelrouter/training/wordpiece"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeToyDataset writes a dataset where "strong" answers everything,
// "weak" only prompts about cats, and answers about code are long.
func writeToyDataset(t *testing.T, dir, name string, n int, seed uint64) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(p, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(p, "models.json"), []byte(`{"models": {
		"Strong-Model": {"input_usd_per_mtok": 10, "output_usd_per_mtok": 30},
		"weak_model@cheap": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.3}}}`), 0o644))
	rng := rand.New(rand.NewPCG(seed, 1))
	topics := []string{"cats", "code", "history", "math"}
	var lines []string
	for i := range n {
		topic := topics[rng.IntN(len(topics))]
		weak := 0.0
		if topic == "cats" {
			weak = 1
		}
		length := 50
		if topic == "code" {
			length = 800
		}
		prompt := fmt.Sprintf("Question %d about %s: please explain %s number %d", i, topic, topic, rng.IntN(1000))
		lines = append(lines, fmt.Sprintf(`{"id": "%s/%d", "source": "%s", "task": "%s", "prompt": %q, "input_tokens": 12, "results": {"Strong-Model": {"score": 1.0, "output_tokens": %d}, "weak_model@cheap": {"score": %g, "output_tokens": %d}}}`,
			name, i, name, topic, prompt, length, weak, length/2))
	}
	require.NoError(t, os.WriteFile(filepath.Join(p, "items.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return p
}

func tinyOptions(out string, data ...string) Options {
	opt := DefaultOptions()
	opt.Data, opt.Out, opt.Log = data, out, io.Discard
	opt.Shape = Shape{Buckets: 64, Dim: 8, Hidden: 16, Z: 4, Head: 12, Tail: 4}
	opt.Tokenizer = wordpiece.Options{VocabSize: 120, MinFrequency: 2}
	opt.Answers = 0
	opt.PretrainScale = 0
	opt.Members = 1
	opt.Epochs = 40
	opt.Val = 0.2
	opt.Command = "test"
	return opt
}

// writtenMetrics reads the metrics from the router.json a run wrote to out.
func writtenMetrics(t *testing.T, out string) Metrics {
	t.Helper()
	files, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	var m Metrics
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	return m
}

func TestRunWritesVerifiableArtifacts(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 300, 1)
	b := writeToyDataset(t, dir, "mmlu-pro", 300, 2)
	out := filepath.Join(dir, "out")
	res, err := Run(context.Background(), tinyOptions(out, a, b))
	require.NoError(t, err)

	files, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	require.NoError(t, card.Verify(files.RouterONNX, files.TokenizerJSON))
	assert.Equal(t, []string{"strong-model", "weak.model"}, card.Profiles)
	assert.Equal(t, 16, card.Spec.MaxLen)
	assert.Equal(t, models.Truncation{Head: 12, Tail: 4}, card.Truncation)
	require.Len(t, card.Training, 2)
	assert.Equal(t, "Apache-2.0", card.Training[0].Licence)
	assert.GreaterOrEqual(t, card.Bands.Cost, card.Bands.Balanced)

	var m Metrics
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	assert.Greater(t, m.Validation.Prompts, 50)
	assert.Less(t, m.Validation.ECE, 0.1)
	assert.Len(t, m.LeaveOneOut, 2)

	// The ONNX file holds the calibrated weights the run returned, and the
	// model learned the toy rule: the weak model is good at cats only.
	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	assert.Equal(t, res.Weights.QB, w.QB)
	cats, code := toyForward(t, files.TokenizerJSON, w)
	assert.Greater(t, code.lengths[0], 2*cats.lengths[0], "code answers are longer")

	prov, err := os.ReadFile(filepath.Join(out, "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), card.ContentHash)
}

func TestRunIsDeterministic(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 200, 1)
	opt := tinyOptions(filepath.Join(dir, "one"), a)
	opt.LeaveOneOut = false
	r1, err := Run(context.Background(), opt)
	require.NoError(t, err)
	opt.Out = filepath.Join(dir, "two")
	opt.Workers = 1
	r2, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, r1.Weights, r2.Weights)
	assert.Equal(t, r1.Tokenizer, r2.Tokenizer)
}

func TestResolveData(t *testing.T) {
	dir := t.TempDir()
	lic := writeToyDataset(t, dir, "llmrouter", 5, 1)
	unl := writeToyDataset(t, dir, "routerbench-zs", 5, 1)

	dirs, skipped, _, err := ResolveData([]string{dir}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{lic}, dirs)
	assert.Equal(t, []string{"routerbench-zs"}, skipped)

	dirs, _, _, err = ResolveData([]string{dir}, true)
	require.NoError(t, err)
	assert.Equal(t, []string{lic, unl}, dirs)

	_, _, _, err = ResolveData([]string{unl}, false)
	assert.ErrorContains(t, err, "--allow-unlicensed")

	_, _, _, err = ResolveData([]string{filepath.Join(dir, "nope")}, false)
	assert.ErrorContains(t, err, "nope")

	_, _, _, err = ResolveData([]string{t.TempDir()}, false)
	assert.ErrorContains(t, err, "no routing dataset (models.json + items.jsonl) in it")
}

func TestNoDataFolderSaysWhatToPass(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(t.TempDir()))
	defer os.Chdir(wd)
	_, _, _, err = ResolveData(nil, false)
	assert.ErrorContains(t, err, "pass --data DIR")
	// make train passes flags through TRAIN_FLAGS, not on its command line.
	assert.ErrorContains(t, err, "make train TRAIN_FLAGS='--data DIR'")
}

func TestRunRejectsLengthOnlyData(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "arena-hard-lengths")
	require.NoError(t, os.MkdirAll(p, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(p, "models.json"), []byte(`{"models": {"a": {}}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(p, "items.jsonl"),
		[]byte(`{"id": "x/1", "prompt": "hi", "results": {"a": {"score": null, "output_tokens": 5}}}`+"\n"), 0o644))
	_, err := Run(context.Background(), tinyOptions(filepath.Join(dir, "out"), p))
	assert.ErrorContains(t, err, "no dataset has quality labels")
}

func writeAnswers(t *testing.T, dir string, models, perModel int) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for m := range models {
		var lines []string
		for i := range perModel {
			lines = append(lines, fmt.Sprintf(`{"question_id": "q%d", "model_id": "m%d", "choices": [{"index": 0, "turns": [{"content": "answer %d of model %d"}]}]}`, i, m, i, m))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%d.jsonl", m)), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	}
}

func TestAnswerTextsTakesTheSameNumberFromEveryModel(t *testing.T) {
	dir := t.TempDir()
	writeAnswers(t, dir, 3, 10)
	texts, err := AnswerTexts(dir, 6)
	require.NoError(t, err)
	assert.Equal(t, []string{"answer 0 of model 0", "answer 1 of model 0", "answer 0 of model 1", "answer 1 of model 1", "answer 0 of model 2", "answer 1 of model 2"}, texts)
	texts, err = AnswerTexts(dir, 100)
	require.NoError(t, err)
	assert.Len(t, texts, 30)
	texts, err = AnswerTexts(dir, 0)
	require.NoError(t, err)
	assert.Empty(t, texts)
	_, err = AnswerTexts(t.TempDir(), 5)
	assert.ErrorContains(t, err, "no *.jsonl")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m9.jsonl"), []byte("{\n"), 0o644))
	_, err = AnswerTexts(dir, 100)
	assert.ErrorContains(t, err, "line 1")
}

func TestTokenizerLearnsFromAnswers(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 100, 1)
	ans := filepath.Join(dir, "answers")
	writeAnswers(t, ans, 2, 50)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.LeaveOneOut, opt.Epochs, opt.Answers, opt.AnswersDir = false, 1, 100, ans
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, 100, res.TokenizerAnswers)
	assert.Contains(t, string(res.Tokenizer), `"answer"`, "a word only the answers use")

	opt.AnswersDir = filepath.Join(dir, "missing")
	res, err = Run(context.Background(), opt)
	require.NoError(t, err, "missing answers only narrow the tokenizer's corpus")
	assert.Zero(t, res.TokenizerAnswers)
}

func TestLeaveOneOutSkipsDatasetsWithoutSharedModels(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 100, 1)
	b := writeToyDataset(t, dir, "mmlu-pro", 100, 2) // same two models: shared
	c := filepath.Join(dir, "llmrouter")
	require.NoError(t, os.MkdirAll(c, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(c, "models.json"), []byte(`{"models": {"x": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2}, "y": {"input_usd_per_mtok": 0.1, "output_usd_per_mtok": 0.2}}}`), 0o644))
	var lines []string
	for i := range 20 {
		lines = append(lines, fmt.Sprintf(`{"id": "l/%d", "task": "t", "prompt": "about cats %d", "results": {"x": {"score": 1}, "y": {"score": 0}}}`, i, i))
	}
	require.NoError(t, os.WriteFile(filepath.Join(c, "items.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	opt := tinyOptions(filepath.Join(dir, "out"), a, b, c)
	opt.Epochs = 2
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	var left []string
	for _, l := range res.Metrics.LeaveOneOut {
		left = append(left, l.Dataset)
		assert.Greater(t, l.Pairs, 0)
	}
	assert.Equal(t, []string{"mmlu-pro", "zeroeval-math"}, left, "llmrouter's models have no labels elsewhere")
}

func TestRunWithoutValidationKeepsDefaultBands(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 60, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.Val, opt.Epochs, opt.LeaveOneOut = 0, 1, false
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Empty(t, res.Val)
	assert.Equal(t, 0.02, res.Metrics.Bands.Balanced.Band)
	assert.Equal(t, 0.06, res.Metrics.Bands.Cost.Band)

	opt.Val = 1
	_, err = Run(context.Background(), opt)
	assert.ErrorContains(t, err, "--val")
}

func TestRunWithRankingAndTaskLossesRecordsThem(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 200, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.LeaveOneOut, opt.Epochs = false, 10
	opt.PairWeight, opt.TaskWeight, opt.EmbInit, opt.W1Init = 1, 0.3, 0.1, 3
	opt.TokenDrop, opt.ProfileDecay = 0.1, 0.5
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	tr := res.Metrics.Training
	assert.Equal(t, []float64{1, 0.3, 0.1, 3, 0.1, 0.5}, []float64{tr.PairWeight, tr.TaskWeight, tr.EmbInit, tr.W1Init, tr.TokenDrop, tr.ProfileDecay})
	assert.Greater(t, res.Metrics.Validation.WithinPromptAUC["zeroeval-math"], 0.9, "strong beats weak outside cats")

	for _, bad := range []struct {
		set  func(*Options)
		flag string
	}{
		{func(o *Options) { o.PairWeight = -1 }, "--pair-weight"},
		{func(o *Options) { o.TokenDrop = 1 }, "--token-drop"},
		{func(o *Options) { o.ProfileDecay = -0.1 }, "--profile-decay"},
	} {
		o := opt
		bad.set(&o)
		_, err = Run(context.Background(), o)
		assert.ErrorContains(t, err, bad.flag)
	}
}

// Token vectors learned from answers start the embedding table: the run
// records how many texts they came from, stays deterministic, and needs
// the answers unless the prompts may stand in.
func TestPretrainedStartLearnsFromAnswers(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 100, 1)
	ans := filepath.Join(dir, "answers")
	writeAnswers(t, ans, 2, 50)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.LeaveOneOut, opt.Epochs, opt.AnswersDir = false, 2, ans
	opt.PretrainScale, opt.PretrainAnswers = 0.1, 60
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, 60, res.PretrainTexts)
	assert.Equal(t, 0.1, res.Metrics.Training.PretrainScale)
	prov, err := os.ReadFile(filepath.Join(opt.Out, "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), "co-occurrence vectors")
	again, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, res.Params.Emb, again.Params.Emb, "same seed, same model")

	opt.AnswersDir = filepath.Join(dir, "missing")
	_, err = Run(context.Background(), opt)
	assert.ErrorContains(t, err, "pretrain")
	opt.PretrainPrompts = true
	res, err = Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, len(res.Train), res.PretrainTexts, "without answers the training prompts alone")
}

// Two members ship as one model of twice the width that still learns the
// toy rule, and a seed gives the same weights again with one worker.
func TestRunWithTwoMembersShipsOneWiderModel(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 300, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.LeaveOneOut, opt.Members = false, 2
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, 2*opt.Shape.Dim, res.Weights.Spec.Dim)
	assert.Equal(t, 2*opt.Shape.Z, res.Weights.Spec.Z)
	files, err := models.LoadArtifacts(os.DirFS(opt.Out))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	assert.Equal(t, 2*opt.Shape.Hidden, card.Spec.Hidden)
	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	assert.True(t, w.Quantized())
	cats, _ := toyForward(t, files.TokenizerJSON, w)
	assert.Len(t, cats.embedding, opt.Shape.Z, "the embedding output keeps one member's width")

	opt.Out, opt.Workers = filepath.Join(dir, "again"), 1
	again, err := Run(context.Background(), opt)
	require.NoError(t, err)
	assert.Equal(t, res.Weights, again.Weights, "same seed, any worker count: same model")
}

// --pool mean+max reaches the shipped file: router.onnx says so and its
// first layer reads the mean and max blocks of both members; an unknown
// pool stops the run before any work.
func TestRunWithMeanMaxPoolShipsIt(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 300, 1)
	opt := tinyOptions(filepath.Join(dir, "out"), a)
	opt.LeaveOneOut, opt.Members, opt.Shape.Pool = false, 2, arch.PoolMeanMax
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)
	files, err := models.LoadArtifacts(os.DirFS(opt.Out))
	require.NoError(t, err)
	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	assert.Equal(t, arch.PoolMeanMax, w.Spec.Pool)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	assert.Equal(t, arch.PoolMeanMax, card.Spec.Pool, "router.json says what router.onnx does")
	assert.Len(t, w.W1, (2*2*opt.Shape.Dim+1)*2*opt.Shape.Hidden)
	assert.Equal(t, res.Weights, w)
	toyForward(t, files.TokenizerJSON, w)

	opt.Shape.Pool = "max"
	_, err = Run(context.Background(), opt)
	assert.ErrorContains(t, err, `unknown pool "max"`)
}

// toyOutput is one prompt's model outputs.
type toyOutput struct{ quality, lengths, embedding []float32 }

// toyForward runs w on a cats and a code prompt of the toy data and
// checks the rule every toy model must learn: the weak model (profile 1)
// is good at cats only.
func toyForward(t *testing.T, tokenizerJSON []byte, w *arch.Weights) (cats, code toyOutput) {
	t.Helper()
	enc, err := wordpiece.Load(strings.NewReader(string(tokenizerJSON)))
	require.NoError(t, err)
	run := func(text string) toyOutput {
		ids, _ := enc.Encode(text)
		q, l, z := w.Forward(ids)
		return toyOutput{q, l, z}
	}
	cats = run("Question 7 about cats: please explain cats number 3")
	code = run("Question 7 about code: please explain code number 3")
	assert.Greater(t, cats.quality[1], code.quality[1]+0.3, "weak model on cats vs code")
	return cats, code
}
