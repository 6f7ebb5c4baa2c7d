// Package pipeline is `modelrouter train` end to end: read the datasets,
// split off validation prompts, train the tokenizer and the router model,
// calibrate it, choose the mode bands, measure it, and write the artifacts
// (router.onnx, tokenizer.json, router.json, PROVENANCE.md).
package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/calibrate"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/fit"
	"github.com/modelrouter/modelrouter/training/progress"
	"github.com/modelrouter/modelrouter/training/wordpiece"
)

// Options are `modelrouter train`'s settings.
type Options struct {
	Data            []string // --data arguments
	AllowUnlicensed bool
	// HideLabels lists PROFILE@DATASET pairs whose results are removed
	// before training (HideLabels; an experiment, empty for the shipped
	// model).
	HideLabels []string
	// MinTrafficLabels is the fewest rated prompts of own traffic a model
	// gets a profile of its own from (DropFewRatings; 0 keeps them all).
	MinTrafficLabels int
	// Levels are leaderboards whose model-level scores label the prompts of
	// one training dataset (corpus.AddLevels); DefaultOptions names
	// Arena-Hard's where it is found.
	Levels []dataset.LevelSource
	Out    string
	Seed   uint64
	Epochs int     // at least 1; DefaultOptions has fit.DefaultConfig's
	Val    float64 // share of prompts held out
	// Loss and initialisation settings of fit.Config (see there).
	PairWeight, TaskWeight float64 // ranking and auxiliary task terms (0: off)
	// EmbInit and W1Init scale the initial draws (fit.Config): 0 is a zero
	// embedding table; W1Init must be above 0.
	EmbInit, W1Init float64
	// Members > 1 trains that many models from different seeds and ships
	// their average as one model (fit.Merge): Dim, Hidden and Z times
	// Members in the file.
	Members int
	// PretrainScale > 0 starts the token embeddings from co-occurrence
	// vectors (training/pretrain) of PretrainAnswers model answers (plus the
	// training prompts with PretrainPrompts), scaled to this RMS.
	PretrainScale   float64
	PretrainAnswers int
	PretrainPrompts bool
	// LR is Adam's step size, above 0; DefaultOptions has
	// fit.DefaultConfig's.
	LR float64
	// WeightDecay, EmbLR (fit.Config.EmbLRScale) and EMA are read as they
	// are (0: no decay, a frozen embedding table, the last step's weights);
	// DefaultOptions has fit.DefaultConfig's.
	WeightDecay, EmbLR, EMA float64
	// ProfileDecay is fit.Config.ProfileDecay (0: off).
	ProfileDecay float64
	// RawBiasInit is fit.Config.RawBiasInit (false: the joint start).
	RawBiasInit bool
	// TokenDrop is fit.Config.TokenDrop (0: off).
	TokenDrop   float64
	LeaveOneOut bool // also train once per quality dataset without it
	LOOEpochs   int  // 0: as many as Epochs
	// LeaveOneTaskOut also trains once per task (of tasks with at least
	// LOTOMinPrompts prompts, the largest LOTOMaxTasks; 0: no limit)
	// without it, LOTOEpochs epochs each (at least 1).
	LeaveOneTaskOut bool
	LOTOEpochs      int
	// LOTOOwnTokenizer learns each leave-one-task-out retrain's tokenizer
	// (and its token vectors) without the left-out task's prompts, so
	// none of its words is a token because the task used it. Slower: a
	// measurement of what the shared tokenizer leaks, off by default.
	LOTOOwnTokenizer             bool
	LOTOMinPrompts, LOTOMaxTasks int
	Workers                      int
	Shape                        Shape
	Tokenizer                    wordpiece.Options
	// Answers model answers (from AnswersDir) join the training prompts
	// when the tokenizer is learned; 0: prompts only.
	Answers    int
	AnswersDir string
	Command    string // the command line, for PROVENANCE.md
	Log        io.Writer
}

// Shape is the model's size (arch.Spec without the data-given parts).
type Shape struct {
	Buckets, Dim, Hidden, Z, Head, Tail int
	// Pool is arch.Spec.Pool: arch.PoolMean ("") or arch.PoolMeanMax.
	Pool string
}

// DefaultShape is one member's shape. The int8 embedding table,
// (8192+32768) x 64 bytes per member, dominates router.onnx (about 2.8 MB
// per member).
var DefaultShape = Shape{Buckets: 32768, Dim: 64, Hidden: 128, Z: 32, Head: 192, Tail: 64}

// DefaultOptions are the shipped model's settings. The loss and
// initialisation settings were chosen on the validation split,
// leave-one-dataset-out and an unseen dataset (routerbench-zs), over seeds
// 1-3 (see readme-training): a small embedding start (0.05, first layer x4
// to keep the pooled input's scale), so the random start of every row no
// longer drowns what the rows learn, and the ranking term at 0.3. The task
// term stays off: it helps on the training datasets but makes profiles
// labelled in different datasets incomparable on new prompts (on
// routerbench-zs, GPT-4 vs Mixtral, Quality mode fell to Mixtral's level).
// The token embeddings start from co-occurrence vectors of the Arena-Hard
// answers at RMS 0.1 (training/pretrain): over seeds 1-3 validation BCE
// 0.5464 vs 0.5480 and leave-one-dataset-out within-prompt AUC on
// llmrouter 0.521 vs 0.497, the rest level (readme-model); answers only, so
// no leave-one-out run's held-out text shapes them. Two members (seeds)
// are averaged into the shipped model: over seeds 1-3 validation BCE
// 0.5446 vs 0.5464 for one, mmlu-pro GPT-4o-vs-Mixtral APGR 0.588 vs
// 0.587, Quality mode on mmlu-pro 0.4 points below the best single model
// vs 1.1 (readme-model). Mean+max pooling and token dropout stay off:
// together they lower validation BCE (0.5415 vs 0.5464 over seeds 1-3,
// one member) but not the error on held-out datasets and tasks, which is
// what users' traffic looks like, and mean+max costs inference time
// (README, "What did not help"). Quality biases and dataset offsets start
// from their joint fit to the labels' mean scores (fit.initBiases): over
// seeds 1-3, one member, a profile hidden from MMLU-Pro is predicted there
// 0.08-0.10 closer to its true mean and Quality mode on routerbench-zs
// reaches 0.878-0.880 (GPT-4-turbo alone 0.880), at BCE +0.003 and a worse
// leave-llmrouter-out (readme-model). Arena-Hard's leaderboard levels
// (dataset.DefaultLevelSources) rank profiles of different datasets on one
// set of prompts: over seeds 1-3, one member, the hidden profile is
// predicted 0.693 vs 0.649 (true 0.759) and GPT-4-turbo on routerbench-zs
// 0.770 vs 0.662 (true 0.880), at BCE +0.003 and leave-llmrouter-out
// -0.012 (readme-model).
func DefaultOptions() Options {
	fc := fit.DefaultConfig()
	return Options{Out: "models/artifacts", Seed: 1, Epochs: fc.Epochs, LR: fc.LR, Val: 0.1,
		WeightDecay: fc.WeightDecay, EmbLR: fc.EmbLRScale, EMA: fc.EMA, LeaveOneOut: true, Workers: 2,
		LeaveOneTaskOut: true, LOTOEpochs: DefaultLOTOEpochs, LOTOMinPrompts: DefaultLOTOMinPrompts, LOTOMaxTasks: DefaultLOTOMaxTasks,
		PairWeight: 0.3, EmbInit: 0.05, W1Init: 4, PretrainScale: 0.1, Members: 2,
		Shape: DefaultShape, Tokenizer: wordpiece.DefaultOptions, Answers: 4000, AnswersDir: DefaultAnswersDir(), PretrainAnswers: 40000,
		Levels: dataset.DefaultLevelSources(), MinTrafficLabels: DefaultMinTrafficLabels}
}

// Result is a finished run.
type Result struct {
	Corpus    *corpus.Corpus
	Train     []int
	Val       []int
	Tokenizer []byte
	// TokenizerAnswers is how many model answers the tokenizer learned from.
	TokenizerAnswers int
	// PretrainTexts is how many texts the token vectors learned from (0:
	// random start).
	PretrainTexts int
	Params        *fit.Params
	Offset        float64 // the dataset offset used at inference
	Weights       *arch.Weights
	Metrics       Metrics
	Datasets      []string
	Skipped       []string
	Elapsed       time.Duration
}

// Run trains and evaluates a router model and writes its artifacts into
// opt.Out.
func Run(ctx context.Context, opt Options) (*Result, error) {
	start := time.Now()
	logf := func(format string, a ...any) { fmt.Fprintf(opt.Log, format+"\n", a...) }
	if err := (arch.Spec{Pool: opt.Shape.Pool}).CheckPool(); err != nil {
		return nil, err
	}
	if err := checkOptions(opt); err != nil {
		return nil, err
	}
	dirs, skipped, repeated, err := ResolveData(opt.Data, opt.AllowUnlicensed)
	if err != nil {
		return nil, err
	}
	if err := checkAnswers(opt); err != nil {
		return nil, err
	}
	if err := CheckOut(opt.Out); err != nil {
		return nil, err
	}
	for _, d := range repeated {
		logf("--data: %s was already named (the same folder, or one inside a root already named): read once", d)
	}
	if len(skipped) > 0 {
		logf("skipping datasets without a licence for the shipped model: %v (--allow-unlicensed adds them)", skipped)
	}
	var sets []*dataset.Dataset
	for _, d := range dirs {
		ds, err := dataset.Load(d)
		if err != nil {
			return nil, err
		}
		sets = append(sets, ds)
		logf("read %s: %d prompts, %d models", ds.Name, len(ds.Items), len(ds.Models))
	}
	hidden, err := HideLabels(sets, opt.HideLabels)
	if err != nil {
		return nil, err
	}
	for _, h := range hidden {
		logf("hiding %d results of %s in %s (--hide-labels)", h.Results, h.Profile, h.Dataset)
	}
	for _, f := range DropFewRatings(sets, opt.MinTrafficLabels) {
		prompts := "prompts"
		if f.Labels == 1 {
			prompts = "prompt"
		}
		logf("own traffic: left out the ratings of %s (%d rated %s): a profile of its own needs at least %d (--min-traffic-labels); its catalog stand-in keeps predicting it",
			f.Profile, f.Labels, prompts, opt.MinTrafficLabels)
	}
	c, err := corpus.Build(sets)
	if err != nil {
		return nil, err
	}
	levels, err := addLevels(c, opt.Levels)
	if err != nil {
		return nil, err
	}
	for _, l := range levels {
		logf("levels: %d profiles' leaderboard scores (%s) are the quality target of %d of their answers to %s prompts; %d leaderboard models have no profile or no answer there",
			len(l.Models), l.File, l.Labels, l.Dataset, len(l.Unused))
	}
	if opt.Val < 0 || opt.Val >= 1 {
		return nil, fmt.Errorf("--val %g: want a share in [0, 1)", opt.Val)
	}
	train, val := c.Split(opt.Val, int64(opt.Seed))
	if opt.Val > 0 && len(val) == 0 {
		// Calibration and bands are chosen on validation prompts; without
		// any, the model would ship uncalibrated with the default bands.
		return nil, fmt.Errorf("--val %g: none of the %d prompts landed in validation, and the model's calibration (Platt scaling) and its Balanced and Cost bands are chosen on validation prompts; "+
			"give more prompts or a larger --val (it holds about --val x prompts), or pass --val 0 to train without validation (uncalibrated, the router's default bands, no validation metrics on the card)",
			opt.Val, len(c.Examples))
	}
	res := &Result{Corpus: c, Train: train, Val: val, Datasets: dirs, Skipped: skipped}
	logf("%d profiles, %d prompts: %d train, %d validation (whole prompts, identical texts kept together)",
		len(c.Profiles), len(c.Examples), len(train), len(val))

	tok, vocab, err := learnTokenizer(opt, c, train, res, logf)
	if err != nil {
		return nil, err
	}
	res.Tokenizer = tok
	if err := tokenizeCorpus(opt, c, tok, opt.Log); err != nil {
		return nil, err
	}

	spec := arch.Spec{Vocab: vocab, Buckets: opt.Shape.Buckets, Dim: opt.Shape.Dim, Hidden: opt.Shape.Hidden,
		Z: opt.Shape.Z, Profiles: len(c.Profiles), MaxLen: opt.Shape.Head + opt.Shape.Tail, Pool: opt.Shape.Pool}
	cfg := fit.DefaultConfig()
	cfg.Spec, cfg.Datasets, cfg.Seed, cfg.Workers = spec, len(c.Datasets), opt.Seed, max(opt.Workers, 1)
	cfg.Epochs, cfg.LR = opt.Epochs, opt.LR
	cfg.Loss.PairWeight, cfg.Loss.TaskWeight = opt.PairWeight, opt.TaskWeight
	cfg.EmbInit, cfg.W1Init = opt.EmbInit, opt.W1Init
	cfg.WeightDecay, cfg.EmbLRScale, cfg.EMA = opt.WeightDecay, opt.EmbLR, opt.EMA
	cfg.TokenDrop = opt.TokenDrop
	cfg.ProfileDecay = opt.ProfileDecay
	cfg.RawBiasInit = opt.RawBiasInit
	if opt.PretrainScale > 0 {
		start := time.Now()
		vecs, docs, err := pretrainedEmbeddings(opt, tok, c, train, spec.Vocab, spec.Dim)
		if err != nil {
			return nil, err
		}
		cfg.EmbStart, res.PretrainTexts = vecs, docs
		logf("pretrained token vectors from %d texts in %s", docs, time.Since(start).Round(time.Millisecond))
	}
	p, err := trainOn(ctx, cfg, opt.Members, c, train, "train", opt.Log)
	if err != nil {
		return nil, err
	}
	offset := p.MeanOffset(qualityCounts(c, train))
	res.Params, res.Offset = p, offset
	ev, err := evaluate(c, train, val, p, offset, cfg.LR)
	if err != nil {
		return nil, err
	}
	res.Metrics = ev.metrics
	res.Metrics.Training = TrainingInfo{Epochs: cfg.Epochs, Batch: cfg.Batch, LR: cfg.LR, WeightDecay: cfg.WeightDecay,
		LengthWeight: cfg.Loss.LengthWeight, PairWeight: cfg.Loss.PairWeight, TokenDrop: cfg.TokenDrop, ProfileDecay: cfg.ProfileDecay, TaskWeight: cfg.Loss.TaskWeight,
		EmbInit: cfg.EmbInit, W1Init: cfg.W1Init, EmbLR: cfg.EmbLRScale, Members: max(opt.Members, 1), PretrainScale: opt.PretrainScale, PretrainTexts: res.PretrainTexts, EMA: cfg.EMA, Seed: cfg.Seed, InferenceOffset: offset, DatasetOffsets: offsets(c, p), HiddenLabels: hidden,
		BiasInit: map[bool]string{false: "joint", true: "raw"}[cfg.RawBiasInit], Levels: levels,
		LOTOOwnTokenizer: opt.LeaveOneTaskOut && opt.LOTOOwnTokenizer}
	res.Weights = calibratedWeights(p, offset, ev.platt, ev.lengthLog)
	if len(val) == 0 {
		logf("warning: no validation prompts (--val 0): the model is not calibrated (Platt A 1, B 0), the bands are the router's defaults (balanced %.3f cost %.3f), and the card records no validation metric",
			res.Metrics.Bands.Balanced.Band, res.Metrics.Bands.Cost.Band)
	} else {
		logf("validation: BCE %.4f, ECE %.4f, within-prompt AUC %s, bands balanced %.3f cost %.3f",
			res.Metrics.Validation.BCE, res.Metrics.Validation.ECE, fmtMap(res.Metrics.Validation.WithinPromptAUC),
			res.Metrics.Bands.Balanced.Band, res.Metrics.Bands.Cost.Band)
	}

	if opt.LeaveOneOut {
		loo := cfg
		loo.Epochs = opt.LOOEpochs
		if loo.Epochs <= 0 {
			loo.Epochs = cfg.Epochs
		}
		res.Metrics.LeaveOneOut, err = leaveOneOut(ctx, loo, opt.Members, c, train, opt.Log)
		if err != nil {
			return nil, err
		}
	}
	if opt.LeaveOneTaskOut {
		lot := cfg
		lot.Epochs = opt.LOTOEpochs
		var tasks [][]calibrate.Prompt
		var own ownTokenizer
		if opt.LOTOOwnTokenizer {
			own = func(train []int) (*corpus.Corpus, fit.Config, error) {
				tc, tcfg, _, err := retokenized(opt, lot, c, train)
				return tc, tcfg, err
			}
		}
		res.Metrics.LeaveOneTaskOut, tasks, err = leaveOneTaskOut(ctx, lot, opt.Members, c, train, opt.LOTOMinPrompts, opt.LOTOMaxTasks,
			ev.platt, ev.lengthLog, own, opt.Log)
		if err != nil {
			return nil, err
		}
		if err := chooseBandsWithUnseen(&res.Metrics, ev.bandPrompts, tasks, opt.Log); err != nil {
			return nil, err
		}
	}
	res.Elapsed = time.Since(start)
	res.Metrics.TrainSeconds = math.Round(res.Elapsed.Seconds())
	if err := writeArtifacts(opt, res); err != nil {
		return nil, err
	}
	logf("wrote %s in %s", opt.Out, time.Since(start).Round(time.Second))
	return res, nil
}

// learnTokenizer learns the WordPiece tokenizer from the prompts at train
// and opt.Answers model answers (res.TokenizerAnswers counts those used;
// res may be nil) and returns it with its vocabulary size.
func learnTokenizer(opt Options, c *corpus.Corpus, train []int, res *Result, logf func(string, ...any)) ([]byte, int, error) {
	texts := c.Texts(train)
	answersUsed := 0
	if opt.Answers > 0 {
		answers, err := AnswerTexts(opt.AnswersDir, opt.Answers)
		if err != nil {
			logf("tokenizer: no model answers added (%v); learning from the training prompts only", err)
		} else {
			texts = append(texts, answers...)
			answersUsed = len(answers)
		}
	}
	if res != nil {
		res.TokenizerAnswers = answersUsed
	}
	tok, err := wordpiece.Train(texts, opt.Tokenizer)
	if err != nil {
		return nil, 0, err
	}
	enc, err := wordpiece.Load(bytes.NewReader(tok))
	if err != nil {
		return nil, 0, err
	}
	logf("tokenizer: %d tokens learned from %d training prompts and %d model answers", enc.VocabSize(), len(train), answersUsed)
	return tok, enc.VocabSize(), nil
}

// tokenizeCorpus sets every example's token ids with tok. The classifier's
// tokenizer is proven token-for-token identical to sugarme on real prompts
// and is much faster.
func tokenizeCorpus(opt Options, c *corpus.Corpus, tok []byte, log io.Writer) error {
	bar := progress.New(log, int64(len(c.Examples)), "tokenize")
	defer bar.Finish()
	return c.Tokenize(func() (func(string) ([]int64, error), error) {
		e, err := classifier.NewTokenizer(tok)
		if err != nil {
			return nil, err
		}
		return func(s string) ([]int64, error) { return e.Encode(s), nil }, nil
	}, opt.Shape.Head, opt.Shape.Tail, opt.Workers, func(n int) { bar.Add(int64(n)) })
}

// ownTokenizer gives a leave-one-task-out retrain on the examples at train
// a corpus tokenized by a tokenizer learned from them alone, and the
// config to train on it (its vocabulary and token vectors).
type ownTokenizer func(train []int) (*corpus.Corpus, fit.Config, error)

// retokenized is the ownTokenizer of Options.LOTOOwnTokenizer: a copy of c
// (the examples copied, their texts and labels shared) tokenized by a
// tokenizer learned from the prompts at train and the model answers, which
// it returns too.
func retokenized(opt Options, cfg fit.Config, c *corpus.Corpus, train []int) (*corpus.Corpus, fit.Config, []byte, error) {
	quiet := func(string, ...any) {}
	tok, vocab, err := learnTokenizer(opt, c, train, nil, quiet)
	if err != nil {
		return nil, cfg, nil, err
	}
	cp := *c
	cp.Examples = slices.Clone(c.Examples)
	if err := tokenizeCorpus(opt, &cp, tok, io.Discard); err != nil {
		return nil, cfg, nil, err
	}
	cfg.Spec.Vocab = vocab
	if opt.PretrainScale > 0 {
		if cfg.EmbStart, _, err = pretrainedEmbeddings(opt, tok, &cp, train, vocab, cfg.Spec.Dim); err != nil {
			return nil, cfg, nil, err
		}
	}
	return &cp, cfg, tok, nil
}

// memberSeedStep separates the seeds of an ensemble's members.
const memberSeedStep = 1000003

// checkOptions refuses, before any work, numeric options out of their
// range. Each bound is written so that NaN fails it too: NaN passes every
// "below 0" test, and as a loss weight it made every loss NaN; as a step
// size it read as "the default" (only values above 0 replace one); as
// --pretrain-scale it was recorded in router.json, which JSON cannot hold.
func checkOptions(opt Options) error {
	for _, o := range []struct {
		flag string
		v    float64
	}{
		{"--pair-weight", opt.PairWeight}, {"--task-weight", opt.TaskWeight}, {"--emb-init", opt.EmbInit},
		{"--weight-decay", opt.WeightDecay}, {"--emb-lr", opt.EmbLR},
		{"--profile-decay", opt.ProfileDecay}, {"--pretrain-scale", opt.PretrainScale},
	} {
		if !(o.v >= 0 && !math.IsInf(o.v, 1)) {
			return fmt.Errorf("%s %g: want a finite value >= 0", o.flag, o.v)
		}
	}
	// A step size of 0 learns nothing; it used to read as the default.
	if !(opt.LR > 0 && !math.IsInf(opt.LR, 1)) {
		return fmt.Errorf("--lr %g: want a finite value > 0", opt.LR)
	}
	// A zero first layer never learns (relu passes no gradient at 0, see
	// fit.Config.W1Init); it used to read as a scale of 1.
	if !(opt.W1Init > 0 && !math.IsInf(opt.W1Init, 1)) {
		return fmt.Errorf("--w1-init %g: want a finite value > 0", opt.W1Init)
	}
	if !(opt.EMA >= 0 && opt.EMA < 1) {
		return fmt.Errorf("--ema %g: want a decay in [0, 1)", opt.EMA)
	}
	if !(opt.TokenDrop >= 0 && opt.TokenDrop < 1) {
		return fmt.Errorf("--token-drop %g: want a probability in [0, 1)", opt.TokenDrop)
	}
	for _, o := range []struct {
		flag string
		v    int
	}{{"--dim", opt.Shape.Dim}, {"--hidden", opt.Shape.Hidden}, {"--z", opt.Shape.Z}, {"--buckets", opt.Shape.Buckets},
		{"--members", opt.Members}, {"--workers", opt.Workers}, {"--epochs", opt.Epochs}, {"--loto-epochs", opt.LOTOEpochs}} {
		if o.v < 1 {
			return fmt.Errorf("%s %d: want at least 1", o.flag, o.v)
		}
	}
	return nil
}

// trainOn trains members models on the examples at idx (seeds cfg.Seed,
// cfg.Seed + memberSeedStep, ...), merges them (fit.Merge) and rounds the
// embedding table to int8.
func trainOn(ctx context.Context, cfg fit.Config, members int, c *corpus.Corpus, idx []int, desc string, log io.Writer) (*fit.Params, error) {
	samples := Samples(c, idx)
	if cfg.Loss.TaskWeight > 0 {
		names, _ := c.TaskClasses()
		cfg.Tasks = len(names)
	}
	var ps []*fit.Params
	for k := range max(members, 1) {
		mc := cfg
		mc.Seed = cfg.Seed + uint64(k)*memberSeedStep
		steps := (len(samples) + mc.Batch - 1) / mc.Batch * mc.Epochs
		name := desc
		if members > 1 {
			name = fmt.Sprintf("%s (%d/%d)", desc, k+1, members)
		}
		bar := progress.New(log, int64(steps), name)
		mc.Progress = func(step, total int, loss float64) {
			bar.Describe(fmt.Sprintf("loss %.4f", loss))
			bar.Add(1)
		}
		p, err := fit.Train(ctx, mc, samples)
		bar.Finish()
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	p, err := fit.Merge(ps)
	if err != nil {
		return nil, err
	}
	if !finiteWeights(p) {
		return nil, divergedError("its weights", cfg.LR)
	}
	// The shipped table is int8 (router.onnx): every metric is measured on
	// the weights as shipped.
	p.QuantizeEmb()
	return p, nil
}

// finiteWeights reports whether every weight of p is a finite number.
func finiteWeights(p *fit.Params) bool {
	for _, w := range [][]float64{p.Emb, p.W1, p.B1, p.W2, p.B2, p.QW, p.QB, p.LW, p.LB, p.Off} {
		if slices.ContainsFunc(w, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }) {
			return false
		}
	}
	return true
}

// divergedError says that a fit blew up (what is no longer finite) and
// which step size to lower: what follows it (calibration, bands, the card)
// cannot be computed from NaN and Inf.
func divergedError(what string, lr float64) error {
	return fmt.Errorf("training diverged: %s are not finite numbers (NaN or Inf), so nothing was written; lower --lr (%g here) or --emb-lr", what, lr)
}

// Samples converts examples to training samples, with the task classes
// of corpus.TaskClasses. A leaderboard level (corpus.AddLevels) is the
// quality target of a profile that has no per-prompt score there.
func Samples(c *corpus.Corpus, idx []int) []fit.Sample {
	_, task := c.TaskClasses()
	out := make([]fit.Sample, 0, len(idx))
	for _, i := range idx {
		ex := c.Examples[i]
		s := fit.Sample{IDs: ex.IDs, Dataset: ex.Dataset, Task: task[i]}
		for _, l := range ex.Labels {
			t := fit.Target{Profile: l.Profile, Score: l.Score, LogLen: math.NaN()}
			if !l.HasScore() {
				t.Score = levelOf(ex.Levels, l.Profile)
			}
			if l.HasLength() {
				t.LogLen = math.Log(l.OutputTokens)
			}
			s.Targets = append(s.Targets, t)
		}
		out = append(out, s)
	}
	return out
}

// levelOf is profile's leaderboard level among levels, NaN (no score)
// without one. An example has a level for a few profiles at most.
func levelOf(levels []corpus.Label, profile int) float64 {
	for _, l := range levels {
		if l.Profile == profile {
			return l.Score
		}
	}
	return math.NaN()
}

// qualityCounts is the number of quality labels per dataset among idx.
func qualityCounts(c *corpus.Corpus, idx []int) []float64 {
	n := make([]float64, len(c.Datasets))
	for _, i := range idx {
		for _, l := range c.Examples[i].Labels {
			if l.HasScore() {
				n[c.Examples[i].Dataset]++
			}
		}
	}
	return n
}

func offsets(c *corpus.Corpus, p *fit.Params) map[string]float64 {
	out := map[string]float64{}
	for d, info := range c.Datasets {
		if info.QualityLabels > 0 || info.LevelLabels > 0 {
			out[info.Name] = round4(p.Off[d])
		}
	}
	return out
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func fmtMap(m map[string]float64) string {
	s := ""
	for _, k := range sortedKeys(m) {
		s += fmt.Sprintf("%s=%.3f ", k, m[k])
	}
	return s
}
