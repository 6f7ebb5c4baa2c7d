package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/pipeline"
)

func init() {
	register(command{name: "train", summary: "train the router model (tokenizer, ONNX, card) from routing datasets", run: runTrain})
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opt := pipeline.DefaultOptions()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var data stringList
	fs.Var(&data, "data", "dataset folder, or a folder of dataset folders; repeatable (default: the licensed datasets under ../shared/data/canonical)")
	fs.StringVar(&opt.Out, "out", opt.Out, "folder for router.onnx, tokenizer.json, router.json and PROVENANCE.md")
	seed := fs.Uint64("seed", opt.Seed, "random seed (same seed, same data: same model)")
	fs.IntVar(&opt.Epochs, "epochs", opt.Epochs, "training epochs")
	fs.Float64Var(&opt.Val, "val", opt.Val, "share of prompts held out for validation, calibration and bands")
	fs.Float64Var(&opt.EmbInit, "emb-init", opt.EmbInit, "scale of the embedding table's initial N(0,1) draws (0: a zero table, which training still moves)")
	fs.Float64Var(&opt.W1Init, "w1-init", opt.W1Init, "scale of the first layer's initial draws (above 0: a zero layer never learns)")
	fs.Float64Var(&opt.PairWeight, "pair-weight", opt.PairWeight, "weight of the within-prompt ranking loss (logistic loss on logit differences of two models on one prompt; 0: off)")
	fs.Float64Var(&opt.TaskWeight, "task-weight", opt.TaskWeight, "weight of the auxiliary loss that predicts each prompt's dataset task from the prompt representation (training only; 0: off; it hurts transfer to unseen datasets)")
	fs.Float64Var(&opt.LR, "lr", opt.LR, "Adam step size")
	fs.Float64Var(&opt.WeightDecay, "weight-decay", opt.WeightDecay, "decoupled weight decay (0: off)")
	fs.Float64Var(&opt.EmbLR, "emb-lr", opt.EmbLR, "step-size multiplier of the embedding table (0: the table stays at its start)")
	fs.Float64Var(&opt.ProfileDecay, "profile-decay", opt.ProfileDecay, "decay of each profile's own quality column towards a column shared by all profiles, so a profile follows the average one where its labels say nothing (0: off, no shared column)")
	fs.Func("bias-init", "how quality biases and dataset offsets start: joint (fitted together to the labels' mean scores, so profiles of different datasets start on one scale) or raw (each profile's own mean, offsets 0; the earlier start) (default joint)", func(v string) error {
		switch v {
		case "joint", "raw":
			opt.RawBiasInit = v == "raw"
			return nil
		}
		return fmt.Errorf("want joint or raw, got %q", v)
	})
	fs.Float64Var(&opt.TokenDrop, "token-drop", opt.TokenDrop, "probability of dropping each token of a training prompt, drawn again every epoch (0: off)")
	fs.Float64Var(&opt.EMA, "ema", opt.EMA, "decay of the exported moving average of the weights (0: off, the last step's weights are exported)")
	fs.IntVar(&opt.Shape.Dim, "dim", opt.Shape.Dim, "embedding size")
	fs.IntVar(&opt.Shape.Hidden, "hidden", opt.Shape.Hidden, "hidden units of the MLP")
	fs.IntVar(&opt.Shape.Z, "z", opt.Shape.Z, "size of the prompt representation z")
	fs.IntVar(&opt.Shape.Buckets, "buckets", opt.Shape.Buckets, "hashed token-pair buckets")
	fs.Func("pool", "how token and pair embeddings become the MLP's input: mean, or mean+max (their elementwise max next to the mean; the first layer gets dim more inputs) (default mean)", func(v string) (err error) {
		opt.Shape.Pool, err = arch.ParsePool(v)
		return err
	})
	fs.Float64Var(&opt.PretrainScale, "pretrain-scale", opt.PretrainScale, "start the token embeddings from co-occurrence (PPMI + SVD) vectors of model answers, scaled to this RMS (0: random start)")
	fs.IntVar(&opt.PretrainAnswers, "pretrain-answers", opt.PretrainAnswers, "Arena-Hard model answers the token vectors learn from")
	fs.BoolVar(&opt.PretrainPrompts, "pretrain-prompts", opt.PretrainPrompts, "also learn the token vectors from the training prompts")
	fs.IntVar(&opt.Members, "members", opt.Members, "models trained from different seeds and shipped as their average (one ONNX model, embedding, hidden and z sizes times this)")
	var hide stringList
	fs.Var(&hide, "hide-labels", "PROFILE@DATASET: train without that profile's results in that dataset, to see with eval how the router predicts a profile on prompts unlike its labelled ones (repeatable; experiments only)")
	levelsSet := false
	fs.Func("levels", "DATASET=FILE: a leaderboard CSV (model and score columns, score in percent) whose model-level scores label the training prompts of DATASET that each model answered (repeatable; replaces the default, Arena-Hard v0.1's leaderboard on arena-hard-lengths where ../shared/data has it; none: no leaderboard)", func(v string) error {
		if !levelsSet {
			opt.Levels, levelsSet = nil, true
		}
		if v == "none" {
			return nil
		}
		src, err := dataset.ParseLevelSource(v)
		if err != nil {
			return err
		}
		opt.Levels = append(opt.Levels, src)
		return nil
	})
	fs.IntVar(&opt.MinTrafficLabels, "min-traffic-labels", opt.MinTrafficLabels, "fewest rated prompts in export-feedback folders a model gets a profile of its own from; a model with fewer, and no labels in the other data, is left to its catalog stand-in (as add-profile's --min-labels)")
	fs.BoolVar(&opt.AllowUnlicensed, "allow-unlicensed", false, "also train on datasets without a licence for the shipped model (research use)")
	fs.BoolVar(&opt.LeaveOneOut, "leave-one-out", opt.LeaveOneOut, "also train once without each quality dataset and score it (slower)")
	fs.IntVar(&opt.LOOEpochs, "loo-epochs", 0, "epochs of each leave-one-out run (0: as many as --epochs)")
	fs.BoolVar(&opt.LeaveOneTaskOut, "leave-one-task-out", opt.LeaveOneTaskOut, "also train once without each task (MMLU-Pro category, LLMRouter benchmark) with enough prompts and score it (slower)")
	fs.IntVar(&opt.LOTOEpochs, "loto-epochs", opt.LOTOEpochs, "epochs of each leave-one-task-out run")
	fs.IntVar(&opt.LOTOMinPrompts, "loto-min-prompts", opt.LOTOMinPrompts, "leave out only tasks with at least this many prompts")
	fs.IntVar(&opt.LOTOMaxTasks, "loto-max-tasks", opt.LOTOMaxTasks, "leave out at most this many tasks, the largest (0: no limit)")
	fs.BoolVar(&opt.LOTOOwnTokenizer, "loto-own-tokenizer", false, "learn each leave-one-task-out retrain's tokenizer and token vectors without the left-out task (slower; measures what the shared tokenizer leaks)")
	fs.IntVar(&opt.Answers, "tokenizer-answers", opt.Answers, "at most this many Arena-Hard model answers, the same number from each answer file, added to the prompts the tokenizer learns from (0: prompts only)")
	fs.StringVar(&opt.AnswersDir, "answers-dir", opt.AnswersDir, "folder of Arena-Hard answer files (<model>.jsonl)")
	fs.IntVar(&opt.Workers, "workers", opt.Workers, "goroutines (the trained model does not depend on it)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: modelrouter train [--data DIR]... [--out DIR] [--seed N] [--epochs N] [--val 0.1] [--allow-unlicensed]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("train: unexpected arguments %v", fs.Args())
	}
	if opt.LOOEpochs < 0 || opt.Answers < 0 || opt.LOTOMinPrompts < 0 || opt.LOTOMaxTasks < 0 || opt.MinTrafficLabels < 0 {
		return fmt.Errorf("train: --loo-epochs, --loto-min-prompts, --loto-max-tasks, --tokenizer-answers and --min-traffic-labels must not be negative")
	}
	// Token vectors learned from no text stopped the run only after every
	// dataset was read, with "no co-occurring tokens" naming no flag.
	if opt.PretrainAnswers < 0 {
		return fmt.Errorf("train: --pretrain-answers %d: want a count >= 0 (0 with --pretrain-prompts, or with --pretrain-scale 0 for a random start)", opt.PretrainAnswers)
	}
	if opt.PretrainAnswers == 0 && opt.PretrainScale > 0 && !opt.PretrainPrompts {
		return fmt.Errorf("train: --pretrain-answers %d: the token vectors (--pretrain-scale %g) would learn from no text; want a count above 0, or add --pretrain-prompts, or --pretrain-scale 0 for a random start",
			opt.PretrainAnswers, opt.PretrainScale)
	}
	// Written so NaN, which every comparison lets through, fails too.
	if !(opt.Val >= 0 && opt.Val < 1) {
		return fmt.Errorf("train: --val %g: want a share in [0, 1)", opt.Val)
	}
	// Refused now, not when the trained model is written.
	if strings.TrimSpace(opt.Out) == "" {
		return usagef("train: --out is empty; name the folder for the router model (default %s)", pipeline.DefaultOptions().Out)
	}
	if err := checkOutDir(opt.Out); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	// The answers and the leaderboard lie next to the canonical data:
	// next to the --data named, wherever train runs from, before the
	// ../shared/data found above the working directory.
	if root := dataset.RootOf(data); root != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["answers-dir"] {
			opt.AnswersDir = pipeline.AnswersDirNear(root)
		}
		if !levelsSet {
			opt.Levels = dataset.LevelSourcesNear(root)
		}
	}
	opt.Data = data
	opt.HideLabels = hide
	opt.Seed = *seed
	opt.Command = "modelrouter train " + strings.Join(args, " ")
	opt.Log = stderr
	res, err := pipeline.Run(ctx, opt)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stdout, "router model written to %s (%s, bands balanced %.3f cost %.3f) in %s\n", opt.Out,
		counted(len(res.Corpus.Profiles), "profile", "profiles"), res.Metrics.Bands.Balanced.Band, res.Metrics.Bands.Cost.Band, res.Elapsed.Round(1e9))
	return nil
}
