package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/onnx"
)

var testProfiles = []string{"small", "medium", "large", "reasoning"}

// testModel is a router model with random weights over a small vocabulary,
// with its files and the weights that made them.
type testModel struct {
	files   models.ArtifactFiles
	weights *arch.Weights
	tok     *Tokenizer
}

func newTestModel(t testing.TB, head, tail int) testModel {
	t.Helper()
	vocab := map[string]int{"[PAD]": 0, "[UNK]": 1}
	for _, w := range strings.Fields("the a of to and is in what how why write code python function explain " +
		"##s ##ing ##ed ##er ##ly ##e ##a ##t ##o ##n ##i ? , . ! : ( ) 1 2 3 4 5 6 7 8 9 0 " +
		"e t o n i s r h l d c u m f p g w y b v k x j q z ##r ##h ##l ##d ##c ##u ##m") {
		if _, ok := vocab[w]; !ok {
			vocab[w] = len(vocab)
		}
	}
	tokJSON := tokenizerJSON(vocab, bertNormalizerCfg(true, false))
	tok, err := NewTokenizer(tokJSON)
	require.NoError(t, err)

	spec := arch.Spec{Vocab: len(vocab), Buckets: 101, Dim: 16, Hidden: 32, Z: 8, Profiles: len(testProfiles), MaxLen: head + tail}
	r := rand.New(rand.NewPCG(5, 6))
	w := arch.NewWeights(spec)
	for _, p := range [][]float32{w.Emb, w.W1, w.B1, w.W2, w.B2, w.QW, w.QB, w.LW, w.LB} {
		for i := range p {
			p[i] = (2*r.Float32() - 1) * 0.5
		}
	}
	var buf bytes.Buffer
	require.NoError(t, onnx.Write(&buf, w))

	onnxHash, tokHash, content := models.ContentHash(buf.Bytes(), tokJSON)
	card := models.Card{
		Name: "test-router", Version: "test-1", Profiles: testProfiles,
		Spec: models.ModelSpec{Vocab: spec.Vocab, Buckets: spec.Buckets, Dim: spec.Dim, Hidden: spec.Hidden,
			Z: spec.Z, Profiles: spec.Profiles, MaxLen: spec.MaxLen},
		Truncation:  models.Truncation{Head: head, Tail: tail},
		SHA256:      map[string]string{models.RouterONNXFile: onnxHash, models.TokenizerJSONFile: tokHash},
		ContentHash: content,
	}
	cardJSON, err := json.Marshal(card)
	require.NoError(t, err)
	return testModel{
		files:   models.ArtifactFiles{RouterONNX: buf.Bytes(), TokenizerJSON: tokJSON, RouterJSON: cardJSON},
		weights: w, tok: tok,
	}
}

// requireRuntime is classifiertest.RequireRuntime, which this package's
// own tests cannot import: skip only when no library was asked for.
func requireRuntime(t testing.TB) {
	t.Helper()
	err := InitRuntime()
	if err == nil {
		return
	}
	if RuntimeAbsent(err) {
		t.Skipf("ONNX Runtime not available: %v", err)
	}
	t.Fatalf("ONNX Runtime did not load: %v", err)
}

// newFromFiles opens a router model from its files, checked as Load and
// LoadDir check theirs.
func newFromFiles(files models.ArtifactFiles, opts Options) (*Classifier, error) {
	card, tok, err := checkFiles(files)
	if err != nil {
		return nil, err
	}
	return start(files, card, tok, opts)
}

// open loads the model, skipping when ONNX Runtime is not installed.
func open(t testing.TB, files models.ArtifactFiles, opts Options) *Classifier {
	t.Helper()
	requireRuntime(t)
	c, err := newFromFiles(files, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// requireMatchesForward checks predictions against the Go forward pass on
// the same truncated token ids.
func requireMatchesForward(t *testing.T, w *arch.Weights, profiles []string, ids [][]int64, preds []router.Prediction) {
	t.Helper()
	require.Len(t, preds, len(ids))
	for i := range ids {
		q, l, _ := w.Forward(ids[i])
		require.Len(t, preds[i], len(profiles))
		for m, name := range profiles {
			got := preds[i][name]
			require.InDeltaf(t, q[m], got.Quality, 1e-4, "prompt %d profile %s quality", i, name)
			require.InDeltaf(t, 1.0, got.OutputTokens/float64(l[m]), 1e-4, "prompt %d profile %s output tokens %v vs %v", i, name, got.OutputTokens, l[m])
		}
	}
}

func testPrompts() []string {
	prompts := []string{"", "What is 2+2?", "Write a python function.", "explain",
		strings.Repeat("how to write code in python and why? ", 40), "???", "日本語"}
	for i := range 40 {
		prompts = append(prompts, strings.Repeat(fmt.Sprintf("the %d of what ", i), i))
	}
	return prompts
}

func TestPredictMatchesForwardPass(t *testing.T) {
	const head, tail = 24, 8
	m := newTestModel(t, head, tail)
	prompts := testPrompts()
	ids := make([][]int64, len(prompts))
	for i, p := range prompts {
		ids[i] = Truncate(m.tok.Encode(p), head, tail)
	}
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"one batch", Options{}},
		{"many small batches in parallel", Options{MaxBatch: 3, Parallel: 4}},
		{"one prompt per batch", Options{MaxBatch: 1, Parallel: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := open(t, m.files, tc.opts)
			preds, err := c.Predict(context.Background(), prompts)
			require.NoError(t, err)
			requireMatchesForward(t, m.weights, testProfiles, ids, preds)
		})
	}
}

func TestPredictEmptyInput(t *testing.T) {
	c := open(t, newTestModel(t, 8, 8).files, Options{})
	preds, err := c.Predict(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, preds)
}

func TestPredictIsSafeForConcurrentCallers(t *testing.T) {
	m := newTestModel(t, 16, 8)
	c := open(t, m.files, Options{MaxBatch: 5})
	prompts := testPrompts()
	want, err := c.Predict(context.Background(), prompts)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// each caller asks for a different slice, so a mix-up would show
			lo := g % len(prompts)
			got, err := c.Predict(context.Background(), prompts[lo:])
			if err != nil {
				errs <- err
				return
			}
			for i := range got {
				for name, e := range got[i] {
					if math.Abs(e.Quality-want[lo+i][name].Quality) > 1e-6 {
						errs <- fmt.Errorf("caller %d prompt %d: quality %v, want %v", g, lo+i, e.Quality, want[lo+i][name].Quality)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestInferIDsRejectsIDsOutsideTheVocabulary(t *testing.T) {
	m := newTestModel(t, 8, 8)
	c := open(t, m.files, Options{})
	vocab := int64(m.weights.Spec.Vocab)
	for _, bad := range []int64{-1, vocab, vocab + 1000} {
		_, err := c.InferIDs(context.Background(), [][]int64{{2, 3}, {2, bad}})
		require.ErrorContains(t, err, "outside the vocabulary")
	}
	out, err := c.InferIDs(context.Background(), [][]int64{{0, vocab - 1}})
	require.NoError(t, err)
	require.Len(t, out[0].Embedding, m.weights.Spec.Z)
}

func TestPredictHonoursCancelledContext(t *testing.T) {
	c := open(t, newTestModel(t, 8, 8).files, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Predict(ctx, []string{"hello"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestClosedClassifierRefusesWork(t *testing.T) {
	c := open(t, newTestModel(t, 8, 8).files, Options{})
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close twice is fine")
	_, err := c.Predict(context.Background(), []string{"hello"})
	require.ErrorContains(t, err, "closed")
}

func TestNewRejectsMismatchedArtifacts(t *testing.T) {
	m := newTestModel(t, 8, 8)
	requireRuntime(t)
	tampered := func(f func(a *models.ArtifactFiles)) models.ArtifactFiles {
		a := m.files
		a.RouterONNX = append([]byte(nil), a.RouterONNX...)
		f(&a)
		return a
	}
	withCard := func(f func(c *models.Card)) models.ArtifactFiles {
		var card models.Card
		require.NoError(t, json.Unmarshal(m.files.RouterJSON, &card))
		f(&card)
		b, err := json.Marshal(card)
		require.NoError(t, err)
		a := m.files
		a.RouterJSON = b
		return a
	}
	for _, tc := range []struct {
		name  string
		files models.ArtifactFiles
		want  string
	}{
		{"onnx changed after training", tampered(func(a *models.ArtifactFiles) { a.RouterONNX[len(a.RouterONNX)-1] ^= 1 }), "content hash"},
		{"tokenizer swapped", tampered(func(a *models.ArtifactFiles) { a.TokenizerJSON = []byte(`{}`) }), "content hash"},
		{"card names fewer profiles", withCard(func(c *models.Card) { c.Profiles = c.Profiles[:2]; c.Spec.Profiles = 2 }), "profiles"},
		{"card lists no profiles", withCard(func(c *models.Card) { c.Profiles = nil }), "no profiles"},
		{"vocabulary larger than the model's", withCard(func(c *models.Card) { c.Spec.Vocab = 3 }), "vocabulary"},
		{"card is not json", models.ArtifactFiles{RouterONNX: m.files.RouterONNX, TokenizerJSON: m.files.TokenizerJSON, RouterJSON: []byte("{")}, "router.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newFromFiles(tc.files, Options{})
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestLoadDir(t *testing.T) {
	m := newTestModel(t, 8, 8)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, models.RouterONNXFile), m.files.RouterONNX, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, models.TokenizerJSONFile), m.files.TokenizerJSON, 0o600))
	_, err := LoadDir(dir, Options{})
	require.ErrorContains(t, err, "router.json")

	require.NoError(t, os.WriteFile(filepath.Join(dir, models.RouterJSONFile), m.files.RouterJSON, 0o600))
	requireRuntime(t)
	c, err := LoadDir(dir, Options{})
	require.NoError(t, err)
	defer c.Close()
	require.Equal(t, "test-1+"+c.Card().ContentHash[:8], c.Version())
	require.Equal(t, testProfiles, c.Card().Profiles)
	preds, err := c.Predict(context.Background(), []string{"what is python?"})
	require.NoError(t, err)
	require.Len(t, preds[0], len(testProfiles))
}

// TestUseCUDAFallsBackToCPUWithOneLogLine: the fallback is one warning
// line that says what to install, and ONNX Runtime prints nothing of its
// own to stderr beside it.
func TestUseCUDAFallsBackToCPUWithOneLogLine(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	files := newTestModel(t, 8, 8).files
	var c *Classifier
	stderr := processStderr(t, func() { c = open(t, files, Options{UseCUDA: true, Logger: logger}) })
	if c.Device() == "cuda" {
		require.Empty(t, logs.String(), "no fallback, no log line")
		return
	}
	require.Equal(t, "cpu", c.Device())
	require.Empty(t, stderr, "ONNX Runtime's own log of the failed CUDA attempt")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 1)
	require.Contains(t, lines[0], "CUDA")
	if lib, err := LibraryPath(); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(lib), "libonnxruntime_providers_cuda.so")); err != nil {
			require.Contains(t, lines[0], "libonnxruntime_providers_cuda.so", "names what to install")
		}
	}
	t.Log(lines[0])
	_, err := c.Predict(context.Background(), []string{"hello"})
	require.NoError(t, err)
}

func TestMissingRuntimeLibraryNamesTheFix(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "libonnxruntime.so"))
	_, err := LibraryPath()
	require.ErrorIs(t, err, ErrNoRuntime)
	require.ErrorContains(t, err, LibraryEnv)
	require.ErrorContains(t, err, "make ort")
}

// Without the variable and without the cache, the error names both ways
// to the library: the variable, and the cache path `make ort` fills from
// the npm package.
func TestMissingLibraryWithoutTheVariableNamesItAndTheNpmCache(t *testing.T) {
	t.Setenv(LibraryEnv, "")
	t.Chdir(t.TempDir())
	_, err := LibraryPath()
	require.ErrorIs(t, err, ErrNoRuntime)
	require.ErrorContains(t, err, LibraryEnv)
	require.ErrorContains(t, err, DefaultLibrary)
	require.ErrorContains(t, err, "make ort")
	require.ErrorContains(t, err, "npm package onnxruntime-node")
}

// The variable overrides the cache, so the advice `make ort` only helps
// once it is unset: the error names the cache path and says so.
func TestMissingLibraryViaTheEnvNamesTheCachePathToo(t *testing.T) {
	t.Setenv(LibraryEnv, filepath.Join(t.TempDir(), "libonnxruntime.so"))
	_, err := LibraryPath()
	require.ErrorIs(t, err, ErrNoRuntime)
	require.ErrorContains(t, err, LibraryEnv)
	require.ErrorContains(t, err, DefaultLibrary)
	require.ErrorContains(t, err, "overrides")
	require.ErrorContains(t, err, "unset it")
}

// TestShippedModelPredictsLikeItsWeights loads the model embedded in the
// binary and checks Predict on real prompts against the Go forward pass of
// the weights inside its router.onnx.
func TestShippedModelPredictsLikeItsWeights(t *testing.T) {
	files, err := models.Artifacts()
	if err != nil {
		t.Skipf("no trained router model embedded: %v", err)
	}
	c := open(t, files, Options{})
	w, err := onnx.Read(files.RouterONNX)
	require.NoError(t, err)
	require.Equal(t, c.Card().Spec.Vocab, w.Spec.Vocab)
	prompts := append(testPrompts(), edgeCases...)
	if sharedData() != "" {
		prompts = append(prompts, realPrompts(t, 100, 100)...)
	}
	ids := make([][]int64, len(prompts))
	for i, p := range prompts {
		ids[i] = Truncate(c.Tokenizer().Encode(p), c.head, c.tail)
	}
	preds, err := c.Predict(context.Background(), prompts)
	require.NoError(t, err)
	requireMatchesForward(t, w, c.Card().Profiles, ids, preds)
	for _, p := range preds {
		for name, e := range p {
			require.Truef(t, e.Quality > 0 && e.Quality < 1, "%s quality %v", name, e.Quality)
			require.Truef(t, e.OutputTokens > 0, "%s output tokens %v", name, e.OutputTokens)
		}
	}
}

// processStderr runs fn with the process's file descriptor 2 sent to a file
// and returns what was written there, C code included.
func processStderr(t *testing.T, fn func()) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	saved, err := syscall.Dup(2)
	require.NoError(t, err)
	defer syscall.Close(saved)
	require.NoError(t, syscall.Dup3(int(f.Fd()), 2, 0))
	func() {
		defer func() { _ = syscall.Dup3(saved, 2, 0) }()
		fn()
	}()
	b, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	return string(b)
}
