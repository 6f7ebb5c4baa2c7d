package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/eval"
)

func init() {
	register(command{name: "eval", summary: "measure the router model on a routing dataset against baselines", run: runEval})
}

// evalPairs is the repeatable --map flag.
type evalPairs []string

func (p *evalPairs) String() string     { return strings.Join(*p, " ") }
func (p *evalPairs) Set(v string) error { *p = append(*p, v); return nil }

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defData := os.Getenv("MODELROUTER_DATA")
	if defData == "" {
		defData = "../shared/data/canonical"
	}
	data := fs.String("data", defData, "routing dataset folder (models.json + items.jsonl), or a folder of them: each with quality labels is evaluated")
	candFlag := fs.String("candidates", "", "comma-separated dataset model names to route between (default: every labelled model the router model has a profile for)")
	var mapping evalPairs
	fs.Var(&mapping, "map", "datasetModel=profile: the router-model profile that stands for a dataset model (repeatable; default dataset.Canonical)")
	var reasoning evalPairs
	fs.Var(&reasoning, "reasoning-tokens", "datasetModel=N: bill N hidden reasoning tokens on every answer of that candidate, in true and predicted cost (repeatable; public answer lengths of o1-style models omit them)")
	modelDir := fs.String("router-model", "", "folder with router.onnx, tokenizer.json, router.json (default: the embedded model)")
	out := fs.String("out", "", "folder for report.json, report.md, curves.png, predictions.jsonl (per dataset when --data holds several)")
	holdoutOnly := fs.Bool("holdout-only", false, "evaluate only the prompts in the router model's validation split (it did not train on them)")
	holdoutFrac := fs.Float64("holdout-frac", 0.1, "share of prompts the trainer held out (train --val)")
	holdoutSeed := fs.Int64("holdout-seed", -1, "the trainer's --seed (default: router.json's metrics.training.seed, else 1)")
	cuda := fs.Bool("cuda", false, "run the router model on CUDA when available")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: modelrouter eval --data DIR [--candidates m1,m2,...] [--map datasetModel=profile ...] [--reasoning-tokens datasetModel=N ...] [--router-model DIR] [--out DIR] [--holdout-only]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("eval: unexpected arguments %v", fs.Args())
	}
	m, err := eval.ParseMap(mapping)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	hidden := map[string]float64{}
	for _, p := range reasoning {
		k, v, ok := strings.Cut(p, "=")
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil {
			return fmt.Errorf("eval: --reasoning-tokens %q: want datasetModel=N", p)
		}
		hidden[strings.TrimSpace(k)] = n
	}
	var names []string
	for _, c := range strings.Split(*candFlag, ",") {
		if c = strings.TrimSpace(c); c != "" {
			names = append(names, c)
		}
	}
	dirs, err := datasetDirs(*data)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}

	start := time.Now()
	opts := classifier.Options{UseCUDA: *cuda}
	var clf *classifier.Classifier
	if *modelDir != "" {
		clf, err = classifier.LoadDir(*modelDir, opts)
	} else {
		clf, err = classifier.Load(opts)
	}
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer clf.Close()
	card := clf.Card()
	opt := eval.Options{Bands: card.Bands, Log: stderr}
	if *holdoutOnly {
		seed := *holdoutSeed
		if seed < 0 {
			seed = trainingSeed(card)
		}
		frac := *holdoutFrac
		opt.Holdout = func(it *dataset.Item) bool { return corpus.InValidation(it.Text(), frac, seed) }
		fmt.Fprintf(stderr, "eval: holdout split of the trainer: share %g, seed %d\n", frac, seed)
	}

	for _, dir := range dirs {
		d, err := dataset.Load(dir)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		cands := names
		if len(cands) == 0 {
			// Default: the labelled models the router model has a profile for.
			cands = eval.DefaultCandidates(d, m, card.Profiles)
			if len(cands) < 2 && len(dirs) > 1 {
				fmt.Fprintf(stderr, "eval: %s: skipped, fewer than 2 of its labelled models have a router-model profile (name them with --candidates and --map)\n", d.Name)
				continue
			}
			if len(cands) < 2 {
				return fmt.Errorf("eval: %s: fewer than 2 of its labelled models (%s) have a router-model profile; name the candidates with --candidates and map them with --map datasetModel=profile",
					d.Name, strings.Join(eval.LabelledModels(d), ", "))
			}
		}
		t, err := eval.BuildTable(d, cands, m)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		if err := t.SetReasoningTokens(hidden); err != nil {
			return fmt.Errorf("eval: %s: %w", d.Name, err)
		}
		if err := eval.CheckProfiles(t, card.Profiles); err != nil {
			return fmt.Errorf("eval: %s: %w", d.Name, err)
		}
		rep, err := eval.Run(ctx, t, clf, opt)
		if err != nil {
			return fmt.Errorf("eval: %s: %w", d.Name, err)
		}
		if err := rep.WriteText(stdout); err != nil {
			return err
		}
		fmt.Fprintln(stdout)
		if *out != "" {
			dst := *out
			if len(dirs) > 1 {
				dst = filepath.Join(dst, d.Name)
			}
			if err := rep.WriteDir(dst); err != nil {
				return fmt.Errorf("eval: %w", err)
			}
			fmt.Fprintf(stderr, "eval: wrote %s\n", dst)
		}
	}
	fmt.Fprintf(stderr, "eval: router model %s (%d profiles, bands balanced %.3g cost %.3g), done in %s\n",
		clf.Version(), len(card.Profiles), opt.Bands.Balanced, opt.Bands.Cost, time.Since(start).Round(time.Millisecond))
	return nil
}

// datasetDirs returns dir when it is a dataset, else its subfolders that
// are datasets with at least one quality label.
func datasetDirs(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, "models.json")); err == nil {
		return []string{dir}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--data: %w", err)
	}
	var out []string
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, "models.json")); !e.IsDir() || err != nil {
			continue
		}
		if hasQualityLabels(sub) {
			out = append(out, sub)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--data %s: no routing dataset (models.json + items.jsonl) with quality labels", dir)
	}
	return out, nil
}

// hasQualityLabels peeks at the first items for a non-null score, so
// length-only datasets (arena-hard-lengths) are skipped without a full read.
func hasQualityLabels(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "items.jsonl"))
	if err != nil {
		return false
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	for range 20 {
		var it dataset.Item
		if dec.Decode(&it) != nil {
			return false
		}
		for _, r := range it.Results {
			if r.Score != nil {
				return true
			}
		}
	}
	return false
}

// trainingSeed reads metrics.training.seed from the card (1, the trainer's
// default, when absent).
func trainingSeed(card models.Card) int64 {
	var m struct {
		Training struct {
			Seed *int64 `json:"seed"`
		} `json:"training"`
	}
	if json.Unmarshal(card.Metrics, &m) == nil && m.Training.Seed != nil {
		return *m.Training.Seed
	}
	return 1
}

var _ router.Predictor = (*classifier.Classifier)(nil)
