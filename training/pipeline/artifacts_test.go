package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/onnx"
	"github.com/modelrouter/modelrouter/training/wordpiece"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShippedArtifacts checks the committed router model: the card matches
// the files, the ONNX file is within the size limit, ONNX Runtime loads it,
// and its batched outputs on real prompts equal the Go forward pass.
func TestShippedArtifacts(t *testing.T) {
	dir := filepath.Join("..", "..", "models", "artifacts")
	if _, err := os.Stat(filepath.Join(dir, models.RouterONNXFile)); errors.Is(err, os.ErrNotExist) {
		t.Skip("no trained router model in models/artifacts yet")
	}
	files, err := models.LoadArtifacts(os.DirFS(dir))
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	require.NoError(t, card.Verify(files.RouterONNX, files.TokenizerJSON))
	assert.LessOrEqual(t, len(files.RouterONNX), MaxONNXBytes)

	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	assert.Equal(t, len(card.Profiles), w.Spec.Profiles)
	assert.Equal(t, card.Spec.MaxLen, card.Truncation.Head+card.Truncation.Tail)
	enc, err := wordpiece.Load(bytes.NewReader(files.TokenizerJSON))
	require.NoError(t, err)
	assert.Equal(t, w.Spec.Vocab, enc.VocabSize())

	if err := classifier.InitRuntime(); errors.Is(err, classifier.ErrNoRuntime) {
		t.Skipf("ONNX Runtime not available: %v", err)
	} else {
		require.NoError(t, err)
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(files.RouterONNX,
		[]string{onnx.InputIDs, onnx.AttentionMask}, []string{onnx.Quality, onnx.OutputTokens, onnx.Embedding}, nil)
	require.NoError(t, err)
	defer sess.Destroy()

	prompts := []string{
		"What is 2 + 2?",
		"Write a Python function that returns the n-th Fibonacci number, with tests.",
		"Find all real x such that x^3 - 6x^2 + 11x - 6 = 0. Put the answer in \\boxed{}.",
		"Summarise the causes of the First World War in three paragraphs. " + string(bytes.Repeat([]byte("Consider alliances, militarism and nationalism. "), 40)),
	}
	var rows [][]int64
	for _, p := range prompts {
		ids, err := enc.Encode(p)
		require.NoError(t, err)
		rows = append(rows, classifier.Truncate(ids, card.Truncation.Head, card.Truncation.Tail))
	}
	seq := 0
	for _, r := range rows {
		seq = max(seq, len(r))
	}
	ids, mask := make([]int64, len(rows)*seq), make([]int64, len(rows)*seq)
	for b, r := range rows {
		copy(ids[b*seq:], r)
		for i := range r {
			mask[b*seq+i] = 1
		}
	}
	shape := ort.NewShape(int64(len(rows)), int64(seq))
	idT, err := ort.NewTensor(shape, ids)
	require.NoError(t, err)
	defer idT.Destroy()
	maskT, err := ort.NewTensor(shape, mask)
	require.NoError(t, err)
	defer maskT.Destroy()
	outs := []ort.Value{nil, nil, nil}
	require.NoError(t, sess.Run([]ort.Value{idT, maskT}, outs))
	defer func() {
		for _, o := range outs {
			o.Destroy()
		}
	}()
	q := outs[0].(*ort.Tensor[float32]).GetData()
	l := outs[1].(*ort.Tensor[float32]).GetData()
	M := w.Spec.Profiles
	for b, r := range rows {
		wq, wl, _ := w.Forward(r)
		for m := range M {
			assert.InDelta(t, wq[m], q[b*M+m], 1e-4)
			assert.InDelta(t, 1, l[b*M+m]/wl[m], 1e-4)
			assert.True(t, q[b*M+m] > 0 && q[b*M+m] < 1)
			assert.False(t, math.IsNaN(float64(l[b*M+m])))
		}
	}
}

// TestShippedModelMeetsItsTargets holds the committed model to the bars the
// training run measured on its validation prompts: a calibrated quality
// (ECE <= 0.05) and bands whose realised quality loss stays within 2 % and
// 6 %. A retrained model that misses them must not be committed.
func TestShippedModelMeetsItsTargets(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "models", "artifacts", models.RouterJSONFile))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no trained router model in models/artifacts yet")
	}
	require.NoError(t, err)
	card, err := models.ParseCard(raw)
	require.NoError(t, err)
	var m struct {
		Validation struct {
			ECE float64 `json:"ece"`
		} `json:"validation"`
		Bands struct {
			Balanced struct {
				Band float64 `json:"band"`
				Loss float64 `json:"relative_quality_loss"`
			} `json:"balanced"`
			Cost struct {
				Band float64 `json:"band"`
				Loss float64 `json:"relative_quality_loss"`
			} `json:"cost"`
		} `json:"bands"`
	}
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	assert.Positive(t, m.Validation.ECE)
	assert.LessOrEqual(t, m.Validation.ECE, 0.05)
	assert.LessOrEqual(t, m.Bands.Balanced.Loss, 0.02)
	assert.LessOrEqual(t, m.Bands.Cost.Loss, 0.06)
	assert.Equal(t, card.Bands.Balanced, m.Bands.Balanced.Band, "router.json's bands are the calibrated ones")
	assert.Equal(t, card.Bands.Cost, m.Bands.Cost.Band)
	assert.Less(t, card.Bands.Balanced, card.Bands.Cost)
}

// TestShippedModelReportsLeaveOneTaskOut holds the committed card to issue
// 2's validation: a leave-one-task-out score for every task large enough,
// measured on the whole task.
func TestShippedModelReportsLeaveOneTaskOut(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "models", "artifacts", models.RouterJSONFile))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no trained router model in models/artifacts yet")
	}
	require.NoError(t, err)
	card, err := models.ParseCard(raw)
	require.NoError(t, err)
	var m Metrics
	require.NoError(t, json.Unmarshal(card.Metrics, &m))
	require.NotEmpty(t, m.LeaveOneTaskOut, "retrain with `modelrouter train` (leave-one-task-out is on by default)")
	for _, l := range m.LeaveOneTaskOut {
		assert.GreaterOrEqual(t, l.Prompts, DefaultLOTOMinPrompts, l.Task)
		assert.Positive(t, l.RankedPairs, l.Task)
		assert.True(t, l.WithinPromptAUC > 0 && l.WithinPromptAUC < 1, "%s: within-prompt AUC %g", l.Task, l.WithinPromptAUC)
		assert.LessOrEqual(t, l.TrainedBestSingle, l.BestSingle+1e-9, "%s: hindsight best single is the best fixed choice", l.Task)
	}
}
