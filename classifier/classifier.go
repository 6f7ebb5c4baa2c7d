// Package classifier runs the trained router model: it tokenizes prompts
// with a fast reimplementation of the model's tokenizer.json, feeds them in
// padded batches to ONNX Runtime and returns, per prompt, each profile's
// predicted quality and answer length (router.Predictor).
package classifier

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/modelrouter/modelrouter/models"
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

// embeddedArtifacts reads the files embedded in the binary; a variable so
// that tests can embed others.
var embeddedArtifacts = models.Artifacts

// Load opens the router model embedded in the binary (models/artifacts).
func Load(opts Options) (*Classifier, error) {
	files, err := embeddedArtifacts()
	if err != nil {
		return nil, err
	}
	card, tok, err := checkFiles(files)
	if err != nil {
		// No --router-model folder was named: say which files these are
		// and that fixing them takes a rebuild, as LoadDir names its folder.
		return nil, fmt.Errorf("embedded router model (the models/artifacts/ files this binary was built with): %w; put one router model's files in models/artifacts/ and rebuild", err)
	}
	return start(files, card, tok, opts)
}

// LoadDir opens a router model from a directory holding router.onnx,
// tokenizer.json and router.json (for example `train --out DIR`).
func LoadDir(dir string, opts Options) (*Classifier, error) {
	files, err := models.LoadArtifacts(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("router model in %s: %w", dir, err)
	}
	card, tok, err := checkFiles(files)
	if err != nil {
		// The folder's files are what to fix: say which folder.
		return nil, fmt.Errorf("router model in %s: %w", dir, err)
	}
	return start(files, card, tok, opts)
}

// checkFiles reads the card and the tokenizer and checks that the files
// are the ones the card describes and fit each other.
func checkFiles(files models.ArtifactFiles) (models.Card, *Tokenizer, error) {
	card, err := models.ParseCard(files.RouterJSON)
	if err != nil {
		return card, nil, err
	}
	if err := card.Verify(files.RouterONNX, files.TokenizerJSON); err != nil {
		return card, nil, err
	}
	tok, err := NewTokenizer(files.TokenizerJSON)
	if err != nil {
		return card, nil, err
	}
	if err := checkShapes(card, tok, files.RouterONNX); err != nil {
		return card, nil, err
	}
	return card, tok, nil
}

// start opens the ONNX Runtime session of checked files.
func start(files models.ArtifactFiles, card models.Card, tok *Tokenizer, opts Options) (*Classifier, error) {
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
	var err error
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

// checkShapes rejects artifacts that disagree with each other before any
// prompt can be routed on a misread output.
func checkShapes(card models.Card, tok *Tokenizer, onnx []byte) error {
	s := card.Spec
	if s.Profiles != 0 && s.Profiles != len(card.Profiles) {
		return fmt.Errorf("router.json: spec has %d profiles but %d profile names", s.Profiles, len(card.Profiles))
	}
	switch {
	case s.Vocab <= 0:
		// Without it nothing says the tokenizer fits the model: an id past
		// the token rows would read the word-pair rows behind them.
		return errors.New("router.json: spec.vocab is missing (the model's vocabulary size)")
	case tok.MaxID() >= int64(s.Vocab):
		return fmt.Errorf("tokenizer.json has token ids up to %d but the model's vocabulary is %d", tok.MaxID(), s.Vocab)
	}
	if len(onnx) == 0 {
		return errors.New("router.onnx is empty")
	}
	return nil
}

// Card is the model's card (router.json).
func (c *Classifier) Card() models.Card { return c.card }

// Version names the model: the card's version (a date) and the start of
// its content hash, "2026-11-26+fc247f54", so two models written on one
// day (a retrain, an added profile) tell apart in the decision log.
func (c *Classifier) Version() string {
	hash := c.card.ContentHash
	if len(hash) > 8 {
		hash = hash[:8]
	}
	switch {
	case c.card.Version == "":
		return c.card.ContentHash
	case hash == "":
		return c.card.Version
	}
	return c.card.Version + "+" + hash
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
