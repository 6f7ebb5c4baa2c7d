package classifier

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/onnx"
)

// benchModel is the trained model in models/artifacts when it exists, else
// random weights of the trainer's default shape (vocab of the shipped
// tokenizer or 8192, 32768 pair buckets, dim 64, hidden 128, z 32, 16
// profiles): speed depends on the shape, not on the weights' values.
func benchModel(b *testing.B) models.ArtifactFiles {
	b.Helper()
	dir := filepath.Join("..", "models", "artifacts")
	if files, err := models.LoadArtifacts(os.DirFS(dir)); err == nil {
		b.Log("model: trained artifacts in models/artifacts")
		return files
	}
	tokJSON, err := os.ReadFile(filepath.Join(dir, models.TokenizerJSONFile))
	if err != nil {
		vocab := map[string]int{"[PAD]": 0, "[UNK]": 1}
		for i := range 8190 {
			vocab["w"+strconv.Itoa(i)] = len(vocab)
		}
		tokJSON = tokenizerJSON(vocab, bertNormalizerCfg(true, false))
	}
	tok, err := NewTokenizer(tokJSON)
	require.NoError(b, err)
	profiles := make([]string, 16)
	for i := range profiles {
		profiles[i] = "profile-" + strconv.Itoa(i)
	}
	spec := arch.Spec{Vocab: int(tok.MaxID()) + 1, Buckets: 32768, Dim: 64, Hidden: 128, Z: 32, Profiles: len(profiles), MaxLen: 256}
	w := arch.NewWeights(spec)
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range [][]float32{w.Emb, w.W1, w.B1, w.W2, w.B2, w.QW, w.QB, w.LW, w.LB} {
		for i := range p {
			p[i] = (2*r.Float32() - 1) * 0.1
		}
	}
	var buf bytes.Buffer
	require.NoError(b, onnx.Write(&buf, w))
	oh, th, content := models.ContentHash(buf.Bytes(), tokJSON)
	card, err := json.Marshal(models.Card{Name: "bench", Version: "bench", Profiles: profiles,
		Spec:        models.ModelSpec{Vocab: spec.Vocab, Buckets: spec.Buckets, Dim: spec.Dim, Hidden: spec.Hidden, Z: spec.Z, Profiles: spec.Profiles, MaxLen: spec.MaxLen},
		Truncation:  models.Truncation{Head: 192, Tail: 64},
		SHA256:      map[string]string{models.RouterONNXFile: oh, models.TokenizerJSONFile: th},
		ContentHash: content})
	require.NoError(b, err)
	b.Logf("model: random weights, default shape %+v", spec)
	return models.ArtifactFiles{RouterONNX: buf.Bytes(), TokenizerJSON: tokJSON, RouterJSON: card}
}

// promptOfLength is a real prompt cut to about n characters at a word
// boundary (synthetic English when the datasets are missing).
func promptOfLength(b *testing.B, n int) string {
	text := strings.Repeat("Explain how a hash map handles collisions, and write a short Python example. ", n/70+1)
	if sharedData() != "" {
		for _, p := range realPrompts(b, 300, 0) {
			if len(p) >= n {
				text = p
				break
			}
		}
	}
	if len(text) > n {
		cut := strings.LastIndexByte(text[:n], ' ')
		text = text[:max(cut, n/2)]
	}
	return text
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// benchmarkOneDecision times Predict for one prompt: what the gateway pays
// per request (tokenize, truncate, one ONNX Runtime call).
func benchmarkOneDecision(b *testing.B, chars int) {
	c := open(b, benchModel(b), Options{})
	prompt := promptOfLength(b, chars)
	ctx := context.Background()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := c.Predict(ctx, []string{prompt}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(times, 0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(times, 0.99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(len(prompt)), "chars")
	b.ReportMetric(float64(len(Truncate(c.tok.Encode(prompt), c.head, c.tail))), "tokens")
}

func BenchmarkPredict70Chars(b *testing.B)   { benchmarkOneDecision(b, 70) }
func BenchmarkPredict4600Chars(b *testing.B) { benchmarkOneDecision(b, 4600) }

// BenchmarkPredictNFKC is one decision with NFKC put before the model's
// BertNormalizer (the same vocabulary, so the same model reads the ids).
func BenchmarkPredictNFKC(b *testing.B) {
	for _, chars := range []int{70, 4600} {
		b.Run(strconv.Itoa(chars)+"Chars", func(b *testing.B) {
			files := benchModel(b)
			c := open(b, files, Options{})
			tok, err := NewTokenizer(withNFKC(b, files.TokenizerJSON))
			require.NoError(b, err)
			c.tok = tok
			prompt := promptOfLength(b, chars)
			ctx := context.Background()
			for b.Loop() {
				if _, err := c.Predict(ctx, []string{prompt}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTokenize4600Chars is the tokenizer's share of a long prompt.
func BenchmarkTokenize4600Chars(b *testing.B) {
	tok, err := NewTokenizer(benchModel(b).TokenizerJSON)
	require.NoError(b, err)
	prompt := promptOfLength(b, 4600)
	b.SetBytes(int64(len(prompt)))
	for b.Loop() {
		tok.Encode(prompt)
	}
}

// BenchmarkTokenizeNFKC4600Chars is BenchmarkTokenize4600Chars with NFKC
// before the BertNormalizer: on the prompt as it is, and pasted, with
// no-break spaces for its spaces (every word then needs normalizing).
func BenchmarkTokenizeNFKC4600Chars(b *testing.B) {
	tok, err := NewTokenizer(withNFKC(b, benchModel(b).TokenizerJSON))
	require.NoError(b, err)
	prompt := promptOfLength(b, 4600)
	for name, text := range map[string]string{"plain": prompt, "pasted": strings.ReplaceAll(prompt, " ", "\u00a0")} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				tok.Encode(text)
			}
		})
	}
}

// BenchmarkThroughput predicts real prompts in batches of 256 (run with
// -cpu 2 for two cores) and reports prompts per second.
func BenchmarkThroughput(b *testing.B) {
	c := open(b, benchModel(b), Options{})
	var prompts []string
	if sharedData() != "" {
		prompts = realPrompts(b, 300, 0)
	} else {
		for i := range 256 {
			prompts = append(prompts, promptOfLength(b, 40+i*10))
		}
	}
	batch := prompts[:min(256, len(prompts))]
	ctx := context.Background()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Predict(ctx, batch); err != nil {
			b.Fatal(err)
		}
		n += len(batch)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "prompts/s")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "cores")
}

// BenchmarkResidentMemory reports how much the process's resident memory
// grows by loading the classifier and predicting (VmRSS from
// /proc/self/status). Run it alone (-bench ResidentMemory) so that the
// ONNX Runtime library's own pages are counted too.
func BenchmarkResidentMemory(b *testing.B) {
	files := benchModel(b)
	prompts := []string{promptOfLength(b, 70), promptOfLength(b, 4600)}
	runtime.GC()
	before := vmRSS(b)
	c := open(b, files, Options{})
	for b.Loop() {
		if _, err := c.Predict(context.Background(), prompts); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	b.ReportMetric(float64(vmRSS(b)-before)/(1<<20), "rss-delta-MB")
}

func vmRSS(b *testing.B) int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(b, err)
			return kb << 10
		}
	}
	b.Skip("no VmRSS")
	return 0
}

// BenchmarkPredictConcurrentCallers is the gateway's pattern: many requests
// at once, one prompt each, all on the classifier's single ONNX Runtime
// session (run with -cpu 2). Compare decisions/s with one caller's
// BenchmarkPredict70Chars to see whether the shared session scales.
func BenchmarkPredictConcurrentCallers(b *testing.B) {
	c := open(b, benchModel(b), Options{})
	prompt := promptOfLength(b, 70)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Predict(context.Background(), []string{prompt}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkStages4600Chars splits one long prompt's prediction into its
// two stages, tokenizing (with truncation) and ONNX Runtime inference.
func BenchmarkStages4600Chars(b *testing.B) {
	c := open(b, benchModel(b), Options{})
	prompt := promptOfLength(b, 4600)
	var tok, inf []time.Duration
	for b.Loop() {
		start := time.Now()
		ids := c.tok.EncodeTruncated(prompt, c.head, c.tail)
		mid := time.Now()
		if _, err := c.InferIDs(context.Background(), [][]int64{ids}); err != nil {
			b.Fatal(err)
		}
		tok = append(tok, mid.Sub(start))
		inf = append(inf, time.Since(mid))
	}
	b.ReportMetric(float64(percentile(tok, .5).Microseconds()), "tokenize-p50-µs")
	b.ReportMetric(float64(percentile(inf, .5).Microseconds()), "inference-p50-µs")
}

// BenchmarkSugarmeTokenize4600Chars is the reference tokenizer on the same
// prompt, for comparison with BenchmarkTokenize4600Chars.
func BenchmarkSugarmeTokenize4600Chars(b *testing.B) {
	encode := sugarmeEncoder(b, benchModel(b).TokenizerJSON)
	prompt := promptOfLength(b, 4600)
	b.SetBytes(int64(len(prompt)))
	for b.Loop() {
		encode(prompt)
	}
}
