package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/dataset"
	"github.com/modelrouter/modelrouter/training/eval"
	"github.com/modelrouter/modelrouter/training/newprofile"
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
	dataFlag := &oneFolder{def: defData, value: defData}
	fs.Var(dataFlag, "data", "routing dataset `folder` (models.json + items.jsonl), or a folder of them: each with quality labels is evaluated (default: $MODELROUTER_DATA when set)")
	candFlag := fs.String("candidates", "", "comma-separated dataset model names to route between (default: every labelled model the router model has a profile for)")
	var mapping evalPairs
	fs.Var(&mapping, "map", "datasetModel=profile: the router-model profile that stands for a dataset model (repeatable; default dataset.Canonical)")
	var reasoning evalPairs
	fs.Var(&reasoning, "reasoning-tokens", "datasetModel=N: bill N hidden reasoning tokens on every answer of that candidate, in true and predicted cost (repeatable; public answer lengths of o1-style models omit them)")
	modelDir := fs.String("router-model", "", "folder with router.onnx, tokenizer.json, router.json (default: the embedded model)")
	out := fs.String("out", "", "folder for report.json, report.md, curves.png, predictions.jsonl, and share.png for two candidates (per dataset when --data holds several)")
	holdoutOnly := fs.Bool("holdout-only", false, "evaluate only the prompts in the router model's validation split (it did not train on them)")
	holdoutFrac := fs.Float64("holdout-frac", 0.1, "share of prompts the trainer held out (train --val)")
	holdoutSeed := fs.Int64("holdout-seed", -1, "the trainer's --seed (default: router.json's metrics.training.seed, else 1)")
	cuda := fs.Bool("cuda", false, "run the router model on CUDA when available")
	taskFlag := fs.String("task", "", "comma-separated tasks: evaluate only their prompts (the dataset's task field; an unknown task is an error that lists them)")
	fitProfiles := fs.Bool("fit-profiles", false, "also report fitted_profiles: the router model with every candidate's profile fitted on this dataset's labels (add-profile's fit), out of sample as knn is: on the other folds, or outside the holdout")
	byTask := fs.Bool("by-task", false, "one report per task (of --task when given), as RouteLLM reports per benchmark; --out gets a folder per task")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: modelrouter eval --data DIR [--candidates m1,m2,...] [--map datasetModel=profile ...] [--reasoning-tokens datasetModel=N ...] [--router-model DIR] [--out DIR] [--holdout-only] [--task t1,t2] [--by-task] [--fit-profiles]\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("eval: unexpected arguments %v", fs.Args())
	}
	// train reads every --data; eval, given two, would read the last alone.
	if g := dataFlag.given; len(g) > 1 {
		return usagef("eval: --data %s and --data %s: eval reads one --data, a dataset or a folder of datasets; put the datasets to evaluate in one folder",
			g[0], g[1])
	}
	data := &dataFlag.value
	if !(*holdoutFrac > 0 && *holdoutFrac < 1) { // NaN too
		return fmt.Errorf("eval: --holdout-frac %g: want the trainer's --val, a share in (0, 1)", *holdoutFrac)
	}
	if err := checkOutDir(*out); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := checkReportFolder(*out); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	m, err := eval.ParseMap(mapping)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	// Refused here, before any evaluation, not once per dataset part.
	hidden, err := eval.ParseReasoningTokens(reasoning)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	names, tasks := upstream.SplitList(*candFlag), upstream.SplitList(*taskFlag)
	dirs, err := datasetDirs(*data)
	if err != nil && len(dataFlag.given) == 0 && errors.Is(err, os.ErrNotExist) {
		if env := os.Getenv("MODELROUTER_DATA"); env != "" {
			// The user's own setting: named as such, not as a default
			// they are told to replace by setting it.
			return fmt.Errorf("eval: no routing data: MODELROUTER_DATA=%s does not exist here; point it to a dataset folder with models.json and items.jsonl (or a folder of them), or pass --data DIR", env)
		}
		// No --data and no default folder (a machine without ../shared):
		// say what to pass, not only that a path the user never typed is missing.
		return fmt.Errorf("eval: no routing data: the default --data %s does not exist here; pass --data DIR (a dataset folder with models.json and items.jsonl, or a folder of them) or set MODELROUTER_DATA; through make: make eval EVAL_FLAGS='--data DIR'", *data)
	}
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *out != "" && len(dirs) > 1 {
		// Each dataset's reports go in a folder of its own in --out.
		for _, dir := range dirs {
			if err := checkReportFolder(filepath.Join(*out, dataset.NameOf(dir))); err != nil {
				return fmt.Errorf("eval: %w", err)
			}
		}
	}
	several := len(dirs) > 1 || *byTask
	if *out != "" && several {
		// The summary of the parts goes in --out itself.
		if err := eval.CheckSummaryOut(*out); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
	}
	if several {
		// Each part applies only the --map and --reasoning-tokens entries of
		// its own models (see mapFor), so an entry naming no model at all
		// would apply nowhere without a word.
		if err := checkListedModels("--map", slices.Collect(maps.Keys(m)), dirs); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		if err := checkListedModels("--reasoning-tokens", slices.Collect(maps.Keys(hidden)), dirs); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
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
	if err := eval.CheckMap(m, card.Profiles); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	opt := eval.Options{Bands: card.Bands, Log: stderr}
	if *holdoutOnly {
		if heldNoneOut(card) {
			return fmt.Errorf("eval: --holdout-only: the router model has no holdout split: it was trained with --val 0 (router.json's metrics.validation.prompts is 0), so every prompt of its training data was trained on; evaluate without --holdout-only and read the numbers as in-sample, or on a dataset it did not train on")
		}
		seed := *holdoutSeed
		if seed < 0 {
			seed = trainingSeed(card)
		}
		frac := *holdoutFrac
		opt.Holdout = func(it *dataset.Item) bool { return corpus.InValidation(it.Text(), frac, seed) }
		fmt.Fprintf(stderr, "eval: holdout split of the trainer: share %g, seed %d\n", frac, seed)
	}
	if *fitProfiles {
		files, err := loadArtifacts(*modelDir)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		if opt.Fitted, err = newprofile.NewFitted(files); err != nil {
			return fmt.Errorf("eval: --fit-profiles: %w", err)
		}
	}

	run := evalRun{clf: clf, opt: opt, names: names, mapping: m, mapApplied: map[string]bool{}, hidden: hidden, stdout: stdout, stderr: stderr,
		summary: eval.NewSummary()}
	evaluatedDatasets := 0
	for _, dir := range dirs {
		d, err := dataset.Load(dir)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		dst := *out
		if dst != "" && len(dirs) > 1 {
			dst = filepath.Join(dst, d.Name)
		}
		if len(tasks) > 0 {
			if d, err = d.WithTasks(tasks...); err != nil {
				return fmt.Errorf("eval: %w", err)
			}
		}
		if !*byTask {
			ok, err := run.dataset(ctx, d, dst, len(dirs) > 1)
			if err != nil {
				return err
			}
			if ok {
				evaluatedDatasets++
			}
			continue
		}
		if dst != "" {
			// Before this dataset's first task, as the folders above
			// before the first dataset: a task's folder is known once its
			// dataset is read.
			for _, task := range d.Tasks() {
				if err := checkReportFolder(filepath.Join(dst, folderName(task))); err != nil {
					return fmt.Errorf("eval: %w", err)
				}
			}
		}
		evaluated := 0
		for _, task := range d.Tasks() {
			part, err := d.WithTasks(task)
			if err != nil {
				return fmt.Errorf("eval: %w", err)
			}
			taskDst := dst
			if dst != "" {
				taskDst = filepath.Join(dst, folderName(task))
			}
			// A task where the candidates share no label, or none is in the
			// holdout split, is skipped with its reason; the others go on.
			ok, err := run.dataset(ctx, part, taskDst, true)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				fmt.Fprintf(stderr, "skipped: %v\n", err)
				run.summary.Skip(part.Name, strings.TrimPrefix(strings.TrimPrefix(err.Error(), "eval: "), part.Name+": "))
				continue
			}
			if ok {
				evaluated++
			}
		}
		if evaluated == 0 {
			return fmt.Errorf("eval: %s: no task could be evaluated (reasons above)", d.Name)
		}
		evaluatedDatasets++
	}
	// Each skipped dataset said why; a run that evaluated none of them
	// must not look like a success.
	if evaluatedDatasets == 0 {
		return fmt.Errorf("eval: %s: no dataset could be evaluated (reasons above)", *data)
	}
	if several {
		run.warnUnappliedMap()
	}
	if err := run.writeSummary(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "eval: router model %s (%s, bands balanced %.3g cost %.3g), done in %s\n",
		clf.Version(), counted(len(card.Profiles), "profile", "profiles"), opt.Bands.Balanced, opt.Bands.Cost, time.Since(start).Round(time.Millisecond))
	return nil
}

// oneFolder is a folder flag that may be given once: value, def until
// Set, and every value given, for the caller to refuse a second.
type oneFolder struct {
	def, value string
	given      []string
}

// String is the default, for the help.
func (f *oneFolder) String() string {
	if f == nil {
		return ""
	}
	return f.def
}

func (f *oneFolder) Set(v string) error {
	f.given, f.value = append(f.given, v), v
	return nil
}

// evalRun is what every evaluated dataset (or task of one) shares.
type evalRun struct {
	clf            *classifier.Classifier
	opt            eval.Options
	names          []string
	mapping        map[string]string
	mapApplied     map[string]bool // --map models that are a candidate of some part (several parts)
	hidden         map[string]float64
	stdout, stderr io.Writer
	summary        *eval.Summary // every part evaluated or skipped
}

// skip tells why a part of several is not evaluated, and lists it in the
// summary.
func (r evalRun) skip(d *dataset.Dataset, reason string) {
	fmt.Fprintf(r.stderr, "eval: %s: skipped, %s\n", d.Name, reason)
	r.summary.Skip(d.Name, reason)
}

// writeSummary prints, after the tables of two or more parts (datasets,
// or tasks with --by-task), one line for each, and writes it to --out as
// summary.json and summary.md when set: files first, as a report's; a
// summary that could not be written is printed all the same.
func (r evalRun) writeSummary(out string) error {
	if r.summary.Parts() < 2 {
		return nil
	}
	var unwritten error
	if out != "" {
		if unwritten = r.summary.WriteDir(out); unwritten == nil {
			fmt.Fprintf(r.stderr, "eval: wrote %s\n", filepath.Join(out, "summary.md"))
		}
	}
	if err := r.summary.WriteText(r.stdout); err != nil {
		return err
	}
	if unwritten != nil {
		return fmt.Errorf("eval: %w", unwritten)
	}
	return nil
}

// dataset evaluates one dataset and writes its report to dst when set,
// and says whether it did. With several, one that has too few candidates
// with a profile is skipped: false, with the reason on stderr.
func (r evalRun) dataset(ctx context.Context, d *dataset.Dataset, dst string, several bool) (bool, error) {
	// Without a single score no candidate list helps; the skip reasons
	// below would point at --candidates and --map.
	if len(eval.LabelledModels(d)) == 0 {
		reason := fmt.Sprintf("none of its %d prompts has a quality label (a score in results): nothing to evaluate", len(d.Items))
		if len(d.Items) == 1 {
			reason = "its 1 prompt has no quality label (a score in results): nothing to evaluate"
		}
		if several {
			r.skip(d, reason)
			return false, nil
		}
		return false, fmt.Errorf("eval: %s: %s", d.Name, reason)
	}
	card := r.clf.Card()
	mapping, given := r.mapFor(d, several)
	standIns := r.standIns(d, card.Profiles, mapping)
	cands := r.names
	var leftOut []string // labelled models the default candidates leave out
	if len(cands) > 0 {
		var renamed map[string]string
		var missing []string
		cands, renamed, missing = eval.ResolveCandidates(d, cands)
		for _, n := range slices.Sorted(maps.Keys(renamed)) {
			fmt.Fprintf(r.stderr, "eval: %s: candidate %s is labelled here as %s (the same profile, %s)\n", d.Name, n, renamed[n], models.ProfileName(n))
		}
		if len(missing) > 0 {
			if !several {
				// BuildTable names the missing candidate and the models
				// with labels.
				cands = r.names
			} else {
				// Over several datasets or tasks, one without a candidate
				// is skipped, as one with too few profiles is, rather than
				// stop the run after writing the reports before it.
				r.skip(d, fmt.Sprintf("no quality labels for candidate %s (models with labels: %s)",
					strings.Join(missing, " or "), strings.Join(eval.LabelledModels(d), ", ")))
				return false, nil
			}
		}
	}
	if len(cands) == 0 {
		// Default: the labelled models the router model has a profile for.
		cands = eval.DefaultCandidates(d, withMap(mapping, standIns, nil), card.Profiles)
		// A dataset that labels one model (export-feedback's, where every
		// rated prompt went to one model) has nothing to route between:
		// no --map would help, so the reason says what would.
		labelled := eval.LabelledModels(d)
		if len(cands) < 2 && several {
			if len(labelled) < 2 {
				r.skip(d, fmt.Sprintf("it labels only %s (routing compares 2 or more models on the same prompts)", strings.Join(labelled, ", ")))
			} else {
				// Name them, as the error for one dataset does: the user
				// cannot write the --map without the model's name.
				r.skip(d, fmt.Sprintf("fewer than 2 of its labelled models have a router-model profile; no profile for %s (give each one with --map datasetModel=profile)",
					strings.Join(eval.MissingProfiles(d, withMap(mapping, standIns, nil), card.Profiles), "; ")))
			}
			return false, nil
		}
		if len(cands) < 2 && len(labelled) < 2 {
			return false, fmt.Errorf("eval: %s: it labels only %s, and routing compares 2 or more models on the same prompts: rate the answers of another model to the same prompts (pin it with routing_config.models)",
				d.Name, strings.Join(labelled, ", "))
		}
		if len(cands) < 2 {
			return false, fmt.Errorf("eval: %w", eval.TooFewWithProfile(d.Name, d, withMap(mapping, standIns, nil), card.Profiles))
		}
		if note := eval.WithoutProfile(d.Name, d, withMap(mapping, standIns, nil), card.Profiles); note != "" {
			fmt.Fprintf(r.stderr, "eval: %s\n", note)
			leftOut = eval.LeftOutWithoutProfile(d, withMap(mapping, standIns, nil), card.Profiles)
		}
	}
	if several {
		// An entry for a model of d that is no candidate here is for
		// another part too, where it may be one.
		for m := range mapping {
			if slices.Contains(cands, m) {
				r.mapApplied[given[m]] = true
			} else {
				delete(mapping, m)
			}
		}
	}
	t, err := eval.BuildTable(d, cands, withMap(mapping, standIns, cands))
	if err != nil {
		return false, fmt.Errorf("eval: %w", err)
	}
	hidden, renamed := eval.ResolveKeys(d, r.hidden)
	r.sayRenamed(d, "--reasoning-tokens", renamed)
	if several {
		// As with --map: a count for a model of another part applies there.
		all := hidden
		hidden = map[string]float64{}
		for _, c := range t.Candidates {
			if n, ok := all[c.Name]; ok {
				hidden[c.Name] = n
			}
		}
	}
	if err := t.SetReasoningTokens(hidden); err != nil {
		return false, fmt.Errorf("eval: %s: %w", d.Name, err)
	}
	if err := eval.CheckProfiles(t, card.Profiles); err != nil {
		return false, fmt.Errorf("eval: %s: %w", d.Name, err)
	}
	if r.opt.Holdout != nil {
		if err := checkAddedOutsideHoldout(card, d, t.Candidates); err != nil {
			return false, fmt.Errorf("eval: %s: %w", d.Name, err)
		}
	}
	rep, err := eval.Run(ctx, t, r.clf, r.opt)
	if err != nil {
		return false, fmt.Errorf("eval: %s: %w", d.Name, err)
	}
	rep.LeftOut = leftOut
	r.summary.Add(rep)
	// The report files go first: a table piped to a reader that stops
	// early (`eval ... | head`) ends the process at its next write, and
	// the run's files, which took the work, must not go with it. Nor
	// does the table go with files that could not be written (a disk
	// full): it is printed all the same, and the run fails after it.
	var unwritten error
	if dst != "" {
		if unwritten = rep.WriteDir(dst); unwritten == nil {
			fmt.Fprintf(r.stderr, "eval: wrote %s\n", dst)
		}
	}
	if err := rep.WriteText(r.stdout); err != nil {
		return false, err
	}
	fmt.Fprintln(r.stdout)
	if unwritten != nil {
		return false, fmt.Errorf("eval: %w", unwritten)
	}
	return true, nil
}

// mapFor is the --map entries that apply to d, each keyed by d's own
// spelling of its model (eval.ResolveKeys, as --candidates are read), so
// an entry follows its candidate into a dataset that spells it otherwise.
// Over several datasets or tasks, an entry for a model that d does not
// label is for another part and is left out here (runEval checks that
// each names a model of some dataset), and given maps each entry kept to
// the model as the user wrote it; for one dataset, BuildTable refuses an
// entry that names no candidate.
func (r evalRun) mapFor(d *dataset.Dataset, several bool) (mapping, given map[string]string) {
	resolved, renamed := eval.ResolveKeys(d, r.mapping)
	r.sayRenamed(d, "--map", renamed)
	if !several {
		return resolved, nil
	}
	labelled := eval.LabelledModels(d)
	mapping, given = map[string]string{}, map[string]string{}
	for typed, p := range r.mapping {
		m := typed
		if to, ok := renamed[typed]; ok {
			m = to
		}
		if slices.Contains(labelled, m) {
			mapping[m], given[m] = p, typed
		}
	}
	return mapping, given
}

// sayRenamed tells, on stderr, which entries of flag apply in d to a model
// it spells differently, as a renamed --candidates name is told.
func (r evalRun) sayRenamed(d *dataset.Dataset, flag string, renamed map[string]string) {
	for _, n := range slices.Sorted(maps.Keys(renamed)) {
		fmt.Fprintf(r.stderr, "eval: %s: %s %s applies to %s, as it is labelled here (the same profile name, %s)\n", d.Name, flag, n, renamed[n], models.ProfileName(n))
	}
}

// warnUnappliedMap names the --map entries that applied nowhere: their
// model is listed in some dataset's models.json but a candidate in none
// of the parts evaluated (not labelled there, or left out by
// --candidates), so the entry changed nothing.
func (r evalRun) warnUnappliedMap() {
	var unused []string
	for m := range r.mapping {
		if !r.mapApplied[m] {
			unused = append(unused, m)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		fmt.Fprintf(r.stderr, "eval: warning: --map for %s applied nowhere: it is a candidate of no evaluated dataset or task\n", strings.Join(unused, ", "))
	}
}

// standIns maps the dataset's catalog models (export-feedback's data names
// them by catalog model ID) that have no --map and no profile of their own
// to the catalog's stand-in, as the gateway predicts them.
func (r evalRun) standIns(d *dataset.Dataset, profiles []string, mapping map[string]string) map[string]string {
	cat, err := models.Catalog()
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, m := range eval.LabelledModels(d) {
		if _, mapped := mapping[m]; mapped {
			continue
		}
		if p, ok := models.GatewayProfile(m, profiles, cat); ok && p != models.ProfileName(m) {
			out[m] = p
		}
	}
	return out
}

// withMap is the user's --map plus the stand-ins of the candidates (all of
// them when cands is nil); a --map naming a non-candidate stays an error.
func withMap(user, standIns map[string]string, cands []string) map[string]string {
	out := maps.Clone(user)
	if out == nil {
		out = map[string]string{}
	}
	for m, p := range standIns {
		if cands == nil || slices.Contains(cands, m) {
			out[m] = p
		}
	}
	return out
}

// checkReportFolder refuses a folder eval would write its reports into
// that holds files no eval wrote (eval.CheckOut): a router model's, or
// another tool's under a report's names. "" is no folder.
func checkReportFolder(dir string) error {
	if dir == "" {
		return nil
	}
	return eval.CheckOut(dir)
}

// folderName turns a task name into one path element.
func folderName(task string) string {
	b := []byte(task)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if s := string(b); s != "" && s != "." && s != ".." {
		return s
	}
	return "task"
}

// datasetDirs returns the datasets --data dir names, by the rule train
// reads its --data by (dataset.Folders): dir when it is a dataset, else
// those in it, linked in or not, with at least one quality label.
func datasetDirs(dir string) ([]string, error) {
	found, self, err := dataset.Folders(dir)
	if err != nil {
		return nil, fmt.Errorf("--data %s: %w", dir, err)
	}
	if self {
		return found, nil
	}
	var out []string
	for _, sub := range found {
		if hasQualityLabels(sub) {
			out = append(out, sub)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--data %s: no routing dataset (models.json + items.jsonl) with quality labels", dir)
	}
	return out, nil
}

// checkListedModels refuses a flag's dataset model that none of the
// datasets in dirs lists in its models.json, under that name or another
// of the same profile name (which eval.ResolveKeys reads it as): a typo,
// over several datasets, would otherwise be skipped in each of them.
func checkListedModels(flag string, names []string, dirs []string) error {
	listed, sameProfile := map[string]bool{}, map[string]bool{}
	var datasets []string
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "models.json"))
		if err != nil {
			return fmt.Errorf("dataset %s: %w", dir, err)
		}
		var mj struct {
			Models map[string]json.RawMessage `json:"models"`
		}
		if err := json.Unmarshal(dataset.TrimBOM(raw), &mj); err != nil {
			return fmt.Errorf("dataset %s: models.json: %w", dir, err)
		}
		for m := range mj.Models {
			listed[m], sameProfile[dataset.Canonical(m)] = true, true
		}
		datasets = append(datasets, dataset.NameOf(dir))
	}
	slices.Sort(names)
	for _, n := range names {
		if !listed[n] && !sameProfile[dataset.Canonical(n)] {
			return fmt.Errorf("%s names %q, a model of none of the datasets to evaluate (%s)", flag, n, strings.Join(datasets, ", "))
		}
	}
	return nil
}

// hasQualityLabels peeks at the first items for a non-null score, so
// length-only datasets (arena-hard-lengths) are skipped without a full read.
// Items it cannot read or decode (a dataset folder without items.jsonl
// among them) are not taken for length-only ones: the dataset is kept,
// for dataset.Load to name the file and line.
func hasQualityLabels(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "items.jsonl"))
	if err != nil {
		return true
	}
	defer f.Close()
	r := bufio.NewReader(f)
	if b, err := r.Peek(3); err == nil && len(dataset.TrimBOM(b)) == 0 {
		_, _ = r.Discard(3) // a byte order mark, as dataset.Load skips it
	}
	dec := json.NewDecoder(r)
	for range 20 {
		var it dataset.Item
		if err := dec.Decode(&it); err != nil {
			return !errors.Is(err, io.EOF)
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

// checkAddedOutsideHoldout refuses --holdout-only for a candidate whose
// profile add-profile fitted on this dataset: it fitted on every prompt of
// its data, so the trainer's holdout split of it is no holdout for that
// profile, and the numbers would be in-sample read as held out.
func checkAddedOutsideHoldout(card models.Card, d *dataset.Dataset, cands []eval.Candidate) error {
	name := dataset.NameOf(d.Dir)
	for _, a := range card.AddedProfiles {
		if !slices.Contains(a.Datasets, name) {
			continue
		}
		for _, c := range cands {
			if c.Profile == a.Profile {
				return fmt.Errorf("--holdout-only: candidate %s is predicted by profile %s, which add-profile fitted on every prompt of dataset %s, the router model's holdout split included: "+
					"evaluate it on data it was not fitted on, or without --holdout-only and read its numbers as in-sample (--fit-profiles fits such profiles out of sample)", c.Name, a.Profile, name)
			}
		}
	}
	return nil
}

// heldNoneOut reports whether the card says training held no prompt out
// (train --val 0): then --holdout-frac's split of its data would be
// training prompts presented as held out. A card without the number (not
// train's) is taken at its word that --holdout-frac is the trainer's.
func heldNoneOut(card models.Card) bool {
	var m struct {
		Validation struct {
			Prompts *int `json:"prompts"`
		} `json:"validation"`
	}
	return json.Unmarshal(card.Metrics, &m) == nil && m.Validation.Prompts != nil && *m.Validation.Prompts == 0
}

var _ router.Predictor = (*classifier.Classifier)(nil)
