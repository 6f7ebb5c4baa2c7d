package newprofile

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/onnx"
)

// The anchors are rated answers of a catalog model, as export-feedback
// writes them: gpt-4.1, which the gateway predicts with its stand-in.
const (
	anchorModel   = "gpt-4.1-2025-04-14"
	anchorProfile = "gpt-4o-2024-05-13"
)

func poem(i int) string {
	return fmt.Sprintf("Write a short rhyming poem about autumn leaves number %d.", i)
}
func sum(i int) string {
	return fmt.Sprintf("Compute %d * %d + %d and explain each step of the calculation.", 37+i, 91+i, 13*i)
}

// writeLabels writes a routing dataset where "acme-1" answers poems well
// (9 in 10) and sums badly (1 in 10), with answers of 80 tokens; with
// anchors, anchorModel is also labelled on every prompt, drawn at
// sigmoid(its stand-in's predicted logit + shift).
func writeLabels(t *testing.T, base *arch.Weights, tok *classifier.Tokenizer, card models.Card, n int, anchors bool, shift float64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "traffic")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "models.json"), []byte(`{"models": {
		"acme-1": {"input_usd_per_mtok": 1, "output_usd_per_mtok": 2},
		"gpt-4.1-2025-04-14": {"input_usd_per_mtok": 2, "output_usd_per_mtok": 8}}}`), 0o644))
	col := -1
	for i, p := range card.Profiles {
		if p == anchorProfile {
			col = i
		}
	}
	require.GreaterOrEqual(t, col, 0)
	rng, anchorRNG := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	for i := range n {
		text, good := sum(i), 0.1
		if i%2 == 0 {
			text, good = poem(i), 0.9
		}
		results := map[string]any{"acme-1": map[string]any{"score": bern(rng, good), "output_tokens": 80}}
		if anchors {
			q, _, _ := base.Forward(tok.EncodeTruncated(text, card.Truncation.Head, card.Truncation.Tail))
			p := float64(q[col])
			results[anchorModel] = map[string]any{"score": bern(anchorRNG, 1/(1+math.Exp(-(math.Log(p/(1-p))+shift))))}
		}
		line, err := json.Marshal(map[string]any{"id": fmt.Sprintf("traffic/%d", i), "source": "traffic", "task": "t",
			"prompt": text, "input_tokens": 20, "results": results})
		require.NoError(t, err)
		b.Write(line)
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "items.jsonl"), []byte(b.String()), 0o644))
	return dir
}

func bern(rng *rand.Rand, p float64) float64 {
	if rng.Float64() < p {
		return 1
	}
	return 0
}

func embedded(t *testing.T) (models.ArtifactFiles, *arch.Weights, *classifier.Tokenizer, models.Card) {
	t.Helper()
	files, err := models.Artifacts()
	if err != nil {
		t.Skip(err)
	}
	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	tok, err := classifier.NewTokenizer(files.TokenizerJSON)
	require.NoError(t, err)
	card, err := models.ParseCard(files.RouterJSON)
	require.NoError(t, err)
	return files, w, tok, card
}

func TestAddProfileLearnsTheNewModelAndLeavesTheOthersAlone(t *testing.T) {
	files, base, tok, card := embedded(t)
	data := writeLabels(t, base, tok, card, 400, false, 0)
	out := t.TempDir()
	res, err := Add(Options{Base: files, Data: []string{data}, Model: "acme-1", Out: out, ValFrac: 0.2, Seed: 1})
	require.NoError(t, err)

	got, err := models.LoadArtifacts(os.DirFS(out))
	require.NoError(t, err)
	newCard, err := models.ParseCard(got.RouterJSON)
	require.NoError(t, err)
	require.NoError(t, newCard.Verify(got.RouterONNX, got.TokenizerJSON))
	m := len(card.Profiles)
	require.Equal(t, append(append([]string{}, card.Profiles...), "acme-1"), newCard.Profiles)
	assert.Equal(t, m+1, newCard.Spec.Profiles)
	require.Len(t, newCard.AddedProfiles, 1)
	assert.Equal(t, res.Added, newCard.AddedProfiles[0])
	assert.Equal(t, card.ContentHash, res.Added.BaseContentHash)
	assert.Equal(t, 400, res.Added.Labels)
	assert.Zero(t, res.Added.AnchorLabels, "no existing profile is labelled")

	v := res.Added.Validation
	require.NotNil(t, v)
	require.NotNil(t, v.AUC)
	assert.Greater(t, *v.AUC, 0.8, "poems and sums told apart on held-out prompts")
	assert.Less(t, v.BCE, v.ConstantBCE)

	w := readWeights(t, out)
	for i := 1000; i < 1010; i++ { // prompts it never saw
		for _, text := range []string{poem(i), sum(i), "What is the capital of Peru?"} {
			ids := tok.EncodeTruncated(text, card.Truncation.Head, card.Truncation.Tail)
			q0, l0, z0 := base.Forward(ids)
			q1, l1, z1 := w.Forward(ids)
			assert.InDeltaSlice(t, q0, q1[:m], 1e-6, "the other profiles predict what they did")
			assert.InDeltaSlice(t, l0, l1[:m], 1e-3)
			assert.Equal(t, z0, z1)
		}
		qp, lp, _ := w.Forward(tok.EncodeTruncated(poem(i), card.Truncation.Head, card.Truncation.Tail))
		qs, _, _ := w.Forward(tok.EncodeTruncated(sum(i), card.Truncation.Head, card.Truncation.Tail))
		assert.Greater(t, qp[m], qs[m]+0.4, "the new profile is good at poems, bad at sums")
		assert.InDelta(t, 80, lp[m], 16, "its answers' length")
	}

	// Only a library no one asked for (classifier.RuntimeAbsent) leaves
	// the check to the Go forward pass: a variable naming no file fails.
	if err := classifier.InitRuntime(); classifier.RuntimeAbsent(err) {
		t.Logf("ONNX Runtime not available, the file was checked with the Go forward pass only: %v", err)
		return
	} else {
		require.NoError(t, err, "ONNX Runtime did not load")
	}
	c, err := classifier.LoadDir(out, classifier.Options{})
	require.NoError(t, err)
	defer c.Close()
	preds, err := c.Predict(t.Context(), []string{poem(2000), sum(2000)})
	require.NoError(t, err)
	assert.Greater(t, preds[0]["acme-1"].Quality, preds[1]["acme-1"].Quality+0.4)
}

func TestAddProfileAnchorsTheDatasScaleOnExistingProfiles(t *testing.T) {
	files, base, tok, card := embedded(t)
	const shift = 1.0 // this data's labels run one logit above the model's scale
	plainDir := t.TempDir()
	plain, err := Add(Options{Base: files, Data: []string{writeLabels(t, base, tok, card, 600, false, 0)}, Model: "acme-1", Out: plainDir})
	require.NoError(t, err)
	anchoredDir := t.TempDir()
	anchored, err := Add(Options{Base: files, Data: []string{writeLabels(t, base, tok, card, 600, true, shift)}, Model: "acme-1", Out: anchoredDir})
	require.NoError(t, err)

	a := anchored.Added
	assert.Equal(t, []string{anchorProfile}, a.AnchorProfiles)
	assert.Equal(t, 600, a.AnchorLabels)
	assert.InDelta(t, shift, a.AnchorShift, 0.3)
	assert.Zero(t, plain.Added.AnchorShift)

	// Same acme-1 labels.
	ids := tok.EncodeTruncated(poem(7), card.Truncation.Head, card.Truncation.Tail)
	q, _, _ := readWeights(t, anchoredDir).Forward(ids)
	qp, _, _ := readWeights(t, plainDir).Forward(ids)
	logit := func(p float32) float64 { return math.Log(float64(p) / (1 - float64(p))) }
	m := len(card.Profiles)
	// The same column but for the shift, up to the light pull towards the
	// average profile, which is on each fit's own scale.
	assert.InDelta(t, logit(qp[m])-a.AnchorShift, logit(q[m]), 0.1)
}

func readWeights(t *testing.T, dir string) *arch.Weights {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, models.RouterONNXFile))
	require.NoError(t, err)
	w, err := onnx.Read(b)
	require.NoError(t, err)
	return w
}

func TestAddProfileRefusesWhatItCannotDo(t *testing.T) {
	files, base, tok, card := embedded(t)
	data := writeLabels(t, base, tok, card, 40, true, 0)
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"unknown model", Options{Model: "nope"}, `no labelled answer of "nope"`},
		{"too few labels", Options{Model: "acme-1"}, "40 labelled answers"},
		{"existing profile", Options{Model: anchorProfile}, `already has a profile "gpt-4o-2024-05-13"`},
		{"no data", Options{Model: "acme-1", Data: []string{}}, "--data"},
		{"no model", Options{}, "--model"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			opt.Base, opt.Out = files, t.TempDir()
			if opt.Data == nil {
				opt.Data = []string{data}
			}
			_, err := Add(opt)
			require.ErrorContains(t, err, tc.want)
			entries, _ := os.ReadDir(opt.Out)
			assert.Empty(t, entries, "nothing written")
		})
	}
	tampered := files
	tampered.TokenizerJSON = append([]byte(nil), files.TokenizerJSON...)
	tampered.TokenizerJSON[len(tampered.TokenizerJSON)-2] = ' '
	_, err := Add(Options{Base: tampered, Data: []string{data}, Model: "acme-1", Out: t.TempDir()})
	assert.ErrorContains(t, err, "content hash")
}

// A few anchor labels, all rated good, must not shift the scale without
// bound.
func TestAnchorShiftStaysFiniteOnAFewOneSidedLabels(t *testing.T) {
	_, base, tok, card := embedded(t)
	col := slices.Index(card.Profiles, anchorProfile)
	require.GreaterOrEqual(t, col, 0)
	ids := tok.EncodeTruncated(poem(1), card.Truncation.Head, card.Truncation.Tail)
	one := []example{{text: poem(1), ids: ids, score: 1, profile: col}}
	shift, n, names := anchorShift(base, one, card.Profiles)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{anchorProfile}, names)
	assert.Greater(t, shift, 0.0)
	assert.Less(t, shift, 1.5)
	many := slices.Repeat(one, 400)
	big, _, _ := anchorShift(base, many, card.Profiles)
	assert.Greater(t, big, shift, "more labels that all say good move it further")
}
