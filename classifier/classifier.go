// Package classifier runs the trained router model: it tokenizes prompts
// with a fast reimplementation of the model's tokenizer.json, feeds them in
// padded batches to ONNX Runtime and returns, per prompt, each profile's
// predicted quality and answer length (router.Predictor).
package classifier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sort"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// Graph input and output names (see training/onnx).
var (
	inputNames  = []string{"input_ids", "attention_mask"}
	outputNames = []string{"quality", "output_tokens", "embedding"}
)

// Default truncation when the card gives none (the model contract's).
const (
	DefaultHead = 192
	DefaultTail = 64
)

// Options tune a Classifier. The zero value is CPU inference with one
// ONNX Runtime thread per call, batches of up to 64 prompts, and as many
// concurrent batches as GOMAXPROCS.
type Options struct {
	// UseCUDA tries ONNX Runtime's CUDA execution provider first and falls
	// back to CPU, with one log line, when it is unavailable.
	UseCUDA bool
	// MaxBatch is the most prompts per ONNX Runtime call.
	MaxBatch int
	// Parallel is the most batches of one Predict call that run at once.
	Parallel int
	// Logger receives the CUDA fallback line; slog.Default() when nil.
	Logger *slog.Logger
}

// Classifier is the router model, ready to predict. It is safe for
// concurrent use: ONNX Runtime sessions accept concurrent Run calls, and
// every call brings its own tensors.
type Classifier struct {
	card       models.Card
	tok        *Tokenizer
	session    *ort.DynamicAdvancedSession
	head, tail int
	profiles   int
	z          int
	maxBatch   int
	parallel   int
	device     string

	mu     sync.RWMutex // Close waits for running calls
	closed bool
}

// Load opens the router model embedded in the binary (models/artifacts).
func Load(opts Options) (*Classifier, error) {
	files, err := models.Artifacts()
	if err != nil {
		return nil, err
	}
	return New(files, opts)
}

// LoadDir opens a router model from a directory holding router.onnx,
// tokenizer.json and router.json (for example `train --out DIR`).
func LoadDir(dir string, opts Options) (*Classifier, error) {
	files, err := models.LoadArtifacts(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("router model in %s: %w", dir, err)
	}
	return New(files, opts)
}

// New opens a router model from its files after checking that they are the
// ones its card describes.
func New(files models.ArtifactFiles, opts Options) (*Classifier, error) {
	card, err := models.ParseCard(files.RouterJSON)
	if err != nil {
		return nil, err
	}
	if err := card.Verify(files.RouterONNX, files.TokenizerJSON); err != nil {
		return nil, err
	}
	tok, err := NewTokenizer(files.TokenizerJSON)
	if err != nil {
		return nil, err
	}
	if err := checkShapes(card, tok, files.RouterONNX); err != nil {
		return nil, err
	}
	if err := InitRuntime(); err != nil {
		return nil, err
	}
	c := &Classifier{
		card: card, tok: tok, head: card.Truncation.Head, tail: card.Truncation.Tail,
		profiles: len(card.Profiles),
		maxBatch: opts.MaxBatch, parallel: opts.Parallel,
	}
	if c.head <= 0 && c.tail <= 0 {
		c.head, c.tail = DefaultHead, DefaultTail
	}
	if c.maxBatch <= 0 {
		c.maxBatch = 64
	}
	if c.parallel <= 0 {
		c.parallel = runtime.GOMAXPROCS(0)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	c.session, c.device, err = newSession(files.RouterONNX, opts.UseCUDA, logger)
	if err != nil {
		return nil, err
	}
	if err := c.probe(); err != nil {
		c.session.Destroy()
		return nil, err
	}
	return c, nil
}

// probe runs an empty prompt once, letting ONNX Runtime size the outputs,
// to check them against the card (and to take the first-run cost at load
// rather than on the first request).
func (c *Classifier) probe() error {
	shape := ort.NewShape(1, 1)
	zeros := []int64{0, 0}
	idT, err := ort.NewTensor(shape, zeros[:1])
	if err != nil {
		return err
	}
	defer idT.Destroy()
	maskT, err := ort.NewTensor(shape, zeros[1:])
	if err != nil {
		return err
	}
	defer maskT.Destroy()
	outs := []ort.Value{nil, nil, nil}
	if err := c.session.Run([]ort.Value{idT, maskT}, outs); err != nil {
		return fmt.Errorf("router.onnx does not run as a router model: %w", err)
	}
	dims := make([]ort.Shape, len(outs))
	for i, o := range outs {
		dims[i] = o.GetShape()
		o.Destroy()
	}
	for i, name := range outputNames {
		if len(dims[i]) != 2 || dims[i][0] != 1 {
			return fmt.Errorf("router.onnx output %s has shape %v, want [batch, n]", name, dims[i])
		}
	}
	if int(dims[0][1]) != c.profiles || int(dims[1][1]) != c.profiles {
		return fmt.Errorf("router.onnx predicts %d profiles but router.json names %d", dims[0][1], c.profiles)
	}
	c.z = int(dims[2][1])
	return nil
}

// checkShapes rejects artifacts that disagree with each other before any
// prompt can be routed on a misread output.
func checkShapes(card models.Card, tok *Tokenizer, onnx []byte) error {
	s := card.Spec
	if s.Profiles != 0 && s.Profiles != len(card.Profiles) {
		return fmt.Errorf("router.json: spec has %d profiles but %d profile names", s.Profiles, len(card.Profiles))
	}
	if s.Vocab > 0 && tok.MaxID() >= int64(s.Vocab) {
		return fmt.Errorf("tokenizer.json has token ids up to %d but the model's vocabulary is %d", tok.MaxID(), s.Vocab)
	}
	if len(onnx) == 0 {
		return errors.New("router.onnx is empty")
	}
	return nil
}

// newSession creates the ONNX Runtime session: one intra-op thread, since
// a prediction is tiny and latency matters more than one call's speed-up.
func newSession(onnx []byte, useCUDA bool, logger *slog.Logger) (*ort.DynamicAdvancedSession, string, error) {
	if useCUDA {
		s, err := createSession(onnx, true)
		if err == nil {
			return s, "cuda", nil
		}
		logger.Warn("router model: CUDA execution provider unavailable, using CPU", "error", err)
	}
	s, err := createSession(onnx, false)
	if err != nil {
		return nil, "", err
	}
	return s, "cpu", nil
}

func createSession(onnx []byte, cuda bool) (*ort.DynamicAdvancedSession, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnx runtime session options: %w", err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(1); err != nil {
		return nil, err
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return nil, err
	}
	if cuda {
		cudaOpts, err := ort.NewCUDAProviderOptions()
		if err != nil {
			return nil, fmt.Errorf("cuda provider options: %w", err)
		}
		defer cudaOpts.Destroy()
		if err := opts.AppendExecutionProviderCUDA(cudaOpts); err != nil {
			return nil, fmt.Errorf("cuda execution provider: %w", err)
		}
	}
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(onnx, inputNames, outputNames, opts)
	if err != nil {
		return nil, fmt.Errorf("router.onnx: %w", err)
	}
	return s, nil
}

// Card is the model's card (router.json).
func (c *Classifier) Card() models.Card { return c.card }

// Version names the model: the card's version, else its content hash.
func (c *Classifier) Version() string {
	if c.card.Version != "" {
		return c.card.Version
	}
	return c.card.ContentHash
}

// Device is where inference runs: "cpu" or "cuda".
func (c *Classifier) Device() string { return c.device }

// Tokenizer is the model's tokenizer.
func (c *Classifier) Tokenizer() *Tokenizer { return c.tok }

// Close releases the ONNX Runtime session after running calls finish.
func (c *Classifier) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.session.Destroy()
}

// Output is the model's raw output for one prompt.
type Output struct {
	Quality      []float32 // per profile, in card order
	OutputTokens []float32 // per profile, in card order
	Embedding    []float32 // the prompt's representation z
}

// Predict implements router.Predictor.
func (c *Classifier) Predict(ctx context.Context, prompts []string) ([]router.Prediction, error) {
	outs, err := c.Infer(ctx, prompts)
	if err != nil {
		return nil, err
	}
	preds := make([]router.Prediction, len(outs))
	for i, o := range outs {
		p := make(router.Prediction, c.profiles)
		for m, name := range c.card.Profiles {
			p[name] = router.Estimate{Quality: float64(o.Quality[m]), OutputTokens: float64(o.OutputTokens[m])}
		}
		preds[i] = p
	}
	return preds, nil
}

// Infer tokenizes the prompts, runs them in padded batches (prompts of
// similar length together, so little is padding) and returns the raw
// outputs in the prompts' order.
func (c *Classifier) Infer(ctx context.Context, prompts []string) ([]Output, error) {
	ids := make([][]int64, len(prompts))
	for i, p := range prompts {
		ids[i] = c.tok.EncodeTruncated(p, c.head, c.tail)
	}
	return c.InferIDs(ctx, ids)
}

// InferIDs runs token ids that are already tokenized and truncated.
func (c *Classifier) InferIDs(ctx context.Context, ids [][]int64) ([]Output, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if vocab := int64(c.card.Spec.Vocab); vocab > 0 {
		for i, row := range ids {
			for _, id := range row {
				if id < 0 || id >= vocab { // a negative id would silently wrap in Gather
					return nil, fmt.Errorf("prompt %d: token id %d outside the vocabulary [0, %d)", i, id, vocab)
				}
			}
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return nil, errors.New("router model is closed")
	}
	out := make([]Output, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	if len(ids) > c.maxBatch {
		sort.SliceStable(order, func(a, b int) bool { return len(ids[order[a]]) < len(ids[order[b]]) })
	}
	var chunks [][]int
	for start := 0; start < len(order); start += c.maxBatch {
		chunks = append(chunks, order[start:min(start+c.maxBatch, len(order))])
	}
	if len(chunks) == 1 { // the common case: no goroutines
		return out, c.runBatch(ids, chunks[0], out)
	}
	errs := make([]error, len(chunks))
	sem := make(chan struct{}, c.parallel)
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = c.runBatch(ids, chunk, out)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// runBatch runs the prompts ids[rows...] as one right-padded batch and
// stores their outputs in out.
func (c *Classifier) runBatch(ids [][]int64, rows []int, out []Output) error {
	seq := 1 // an empty prompt is one masked pad token: Forward of no tokens
	for _, r := range rows {
		seq = max(seq, len(ids[r]))
	}
	n := len(rows)
	flat := make([]int64, 2*n*seq)
	idData, maskData := flat[:n*seq], flat[n*seq:]
	for b, r := range rows {
		copy(idData[b*seq:], ids[r])
		for t := range ids[r] {
			maskData[b*seq+t] = 1
		}
	}
	shape := ort.NewShape(int64(n), int64(seq))
	idT, err := ort.NewTensor(shape, idData)
	if err != nil {
		return fmt.Errorf("router model input: %w", err)
	}
	defer idT.Destroy()
	maskT, err := ort.NewTensor(shape, maskData)
	if err != nil {
		return fmt.Errorf("router model input: %w", err)
	}
	defer maskT.Destroy()

	M, Z := c.profiles, c.z
	results := make([]float32, n*(2*M+Z)) // one allocation for every output row
	q, l, z := results[:n*M], results[n*M:2*n*M], results[2*n*M:]
	qT, err := ort.NewTensor(ort.NewShape(int64(n), int64(M)), q)
	if err != nil {
		return err
	}
	defer qT.Destroy()
	lT, err := ort.NewTensor(ort.NewShape(int64(n), int64(M)), l)
	if err != nil {
		return err
	}
	defer lT.Destroy()
	zT, err := ort.NewTensor(ort.NewShape(int64(n), int64(Z)), z)
	if err != nil {
		return err
	}
	defer zT.Destroy()
	if err := c.session.Run([]ort.Value{idT, maskT}, []ort.Value{qT, lT, zT}); err != nil {
		return fmt.Errorf("router model: %w", err)
	}
	for b, r := range rows {
		out[r] = Output{Quality: q[b*M : (b+1)*M], OutputTokens: l[b*M : (b+1)*M], Embedding: z[b*Z : (b+1)*Z]}
	}
	return nil
}
