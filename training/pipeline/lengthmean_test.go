package pipeline

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/calibrate"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/fit"
	"github.com/modelrouter/modelrouter/training/onnx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lengthPreds builds validation predictions of two profiles: profile 0 is
// predicted at 100 and 200 tokens, two prompts each in turn, on 40
// prompts and answers 100 and 300 alike, profile 1 (rarely labelled) is predicted at 100 and answers 400
// tokens on 4 of them.
func lengthPreds() (*corpus.Corpus, []prediction) {
	c := &corpus.Corpus{Profiles: []string{"often", "rarely"}, Datasets: []corpus.DatasetInfo{{Name: "toy"}}}
	var preds []prediction
	for k := range 40 {
		// In pairs, so both halves of the cross-fit see both kinds.
		toks := 100.0
		if k/2%2 == 1 {
			toks = 300
		}
		labels := []corpus.Label{{Profile: 0, Score: math.NaN(), OutputTokens: toks}}
		if k < 4 {
			labels = append(labels, corpus.Label{Profile: 1, Score: math.NaN(), OutputTokens: 400})
		}
		predicted := 100.0
		if k/2%2 == 1 {
			predicted = 200
		}
		preds = append(preds, prediction{ex: corpus.Example{Labels: labels}, logLens: []float64{math.Log(predicted), math.Log(100)}})
	}
	return c, preds
}

func TestLengthCorrectionMakesThePredictionAMean(t *testing.T) {
	c, preds := lengthPreds()
	corr, info := lengthCorrection(c, preds)
	require.Len(t, corr, 2)
	// Profile 0: 20*100 + 20*300 true tokens over 20*100 + 20*200
	// predicted: predictions grow by 4/3 and then sum to the truth.
	assert.InDelta(t, math.Log(4.0/3), corr[0], 1e-12)
	// Profile 1 has 4 lengths (< minLengthLabels): the pooled factor, all
	// 44 answers' true tokens over their predicted ones.
	pooled := math.Log((20*100 + 20*300 + 4*400) / (20*100 + 20*200 + 4*100.0))
	assert.InDelta(t, pooled, corr[1], 1e-12)
	assert.InDelta(t, round4(pooled), info.Pooled, 1e-12)
	assert.Equal(t, map[string]float64{"often": round4(math.Log(4.0 / 3))}, info.PerProfile)
	// Before: predicted tokens over true tokens, all answers.
	assert.InDelta(t, round4(6400.0/9600), info.MeanRatio["toy"], 1e-12)
	// After, cross-fitted: each half's factor is fitted on the other half,
	// and both halves look alike here, so the sums match.
	assert.InDelta(t, 1.0, info.MeanRatioCorrected["toy"], 0.02)
}

func TestCalibratedWeightsAddTheLengthCorrection(t *testing.T) {
	p := &fit.Params{LB: []float64{4, 5}, QB: []float64{0, 0}}
	p.Spec.Profiles = 2
	plain := calibratedWeights(p, 0, calibrate.Platt{A: 1}, nil)
	corrected := calibratedWeights(p, 0, calibrate.Platt{A: 1}, []float64{0.5, -0.25})
	assert.Equal(t, []float32{4, 5}, plain.LB)
	assert.Equal(t, []float32{4.5, 4.75}, corrected.LB)
}

// On the toy data answers about code are 800 or 400 tokens and others 50
// or 25: the exported model's mean predicted length over the validation
// answers matches their mean true length, as the router's expected cost
// needs, and router.json records the correction.
func TestExportedLengthsAreMeans(t *testing.T) {
	dir := t.TempDir()
	a := writeToyDataset(t, dir, "zeroeval-math", 300, 1)
	out := filepath.Join(dir, "out")
	opt := tinyOptions(out, a)
	opt.LeaveOneOut, opt.LeaveOneTaskOut = false, false
	res, err := Run(context.Background(), opt)
	require.NoError(t, err)

	m := writtenMetrics(t, out)
	require.NotNil(t, m.LengthCorrection)
	assert.Contains(t, m.LengthCorrection.PerProfile, "strong-model")
	assert.InDelta(t, 1.0, m.LengthCorrection.MeanRatioCorrected["zeroeval-math"], 0.1)

	prov, err := os.ReadFile(filepath.Join(out, "PROVENANCE.md"))
	require.NoError(t, err)
	assert.Contains(t, string(prov), "Answer lengths: the length head predicts log tokens")

	raw, err := os.ReadFile(filepath.Join(out, models.RouterONNXFile))
	require.NoError(t, err)
	w, err := onnx.Read(raw)
	require.NoError(t, err)
	var pred, truth float64
	for _, i := range res.Val {
		ex := res.Corpus.Examples[i]
		_, lens, _ := w.Forward(ex.IDs)
		for _, l := range ex.Labels {
			if l.HasLength() {
				pred += float64(lens[l.Profile])
				truth += l.OutputTokens
			}
		}
	}
	require.Positive(t, truth)
	assert.InDelta(t, 1.0, pred/truth, 0.05, "mean predicted / mean true tokens on validation")
}
