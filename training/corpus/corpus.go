// Package corpus turns routing datasets into the router model's training
// examples: one example per prompt, with every labelled profile's score and
// answer length, the profile list (canonical names of models with quality
// labels) and a validation split that keeps identical prompts together.
package corpus

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// Label is one profile's outcome on one prompt. Score is NaN where the
// data has a length only; OutputTokens is 0 where it has no answer length.
type Label struct {
	Profile      int
	Score        float64
	OutputTokens float64
	// Price of the dataset model behind the label, USD per million tokens.
	InputPrice, OutputPrice float64
}

// HasScore reports whether the label carries a quality score.
func (l Label) HasScore() bool { return !math.IsNaN(l.Score) }

// HasLength reports whether the label carries an answer length.
func (l Label) HasLength() bool { return l.OutputTokens > 0 }

// Example is one prompt and its labels. IDs is filled by the caller once a
// tokenizer exists (see Tokenize).
type Example struct {
	ID          string
	Dataset     int // index into Corpus.Datasets
	Task        string
	Text        string
	InputTokens int
	Labels      []Label
	// Levels are model-level scores (AddLevels) for profiles that answered
	// the prompt without a per-prompt score: training targets only.
	Levels []Label
	IDs    []int64
}

// DatasetInfo describes one dataset the corpus was built from.
type DatasetInfo struct {
	Name          string
	Licence       string // "" when the dataset has no licence for shipping (Dataset.Licence)
	Items         int    // prompts kept
	QualityLabels int
	LengthLabels  int
	LevelLabels   int // from a leaderboard (AddLevels), not per prompt
}

// Corpus is everything the trainer reads.
type Corpus struct {
	Profiles []string // canonical names, sorted; the model's output order
	Datasets []DatasetInfo
	Examples []Example
}

// Build merges datasets into one corpus. Profiles are the canonical names
// of models with at least one quality label in any dataset; a length-only
// dataset (arena-hard-lengths) contributes lengths for those profiles and
// nothing else. Several dataset ids with one canonical name on one prompt
// (the same model through several providers) are averaged.
func Build(sets []*dataset.Dataset) (*Corpus, error) {
	if len(sets) == 0 {
		return nil, errors.New("corpus: no datasets")
	}
	profiles := map[string]bool{}
	for _, d := range sets {
		for _, it := range d.Items {
			for m, r := range it.Results {
				if r.Score != nil {
					profiles[dataset.Canonical(m)] = true
				}
			}
		}
	}
	if len(profiles) == 0 {
		return nil, errors.New("corpus: no dataset has quality labels (a length-only dataset cannot train the model on its own)")
	}
	c := &Corpus{}
	for p := range profiles {
		c.Profiles = append(c.Profiles, p)
	}
	sort.Strings(c.Profiles)
	index := map[string]int{}
	for i, p := range c.Profiles {
		index[p] = i
	}
	for di, d := range sets {
		info := DatasetInfo{Name: d.Name, Licence: d.Licence()}
		for _, it := range d.Items {
			ex := Example{ID: it.ID, Dataset: di, Task: it.Task, Text: it.Text(), InputTokens: it.InputTokens}
			var err error
			if ex.Labels, err = mergeResults(it, d, index); err != nil {
				return nil, err
			}
			if len(ex.Labels) == 0 {
				continue
			}
			for _, l := range ex.Labels {
				if l.HasScore() {
					info.QualityLabels++
				}
				if l.HasLength() {
					info.LengthLabels++
				}
			}
			info.Items++
			c.Examples = append(c.Examples, ex)
		}
		c.Datasets = append(c.Datasets, info)
	}
	return c, nil
}

// mergeResults averages an item's results per profile, in profile order.
// A score outside [0, 1] is refused, not clamped (dataset.Load refuses it
// too; this covers datasets built in memory): clamped, a judge's 1-10
// scale would be all 1s and train a model that learned nothing.
func mergeResults(it dataset.Item, d *dataset.Dataset, index map[string]int) ([]Label, error) {
	type acc struct {
		score, scoreN, toks, toksN, in, out, priceN float64
	}
	byProfile := map[int]*acc{}
	// In name order: sums of three or more floats depend on their order,
	// and the build must not depend on Go's map order.
	for _, m := range slices.Sorted(maps.Keys(it.Results)) {
		r := it.Results[m]
		p, ok := index[dataset.Canonical(m)]
		if !ok {
			continue
		}
		a := byProfile[p]
		if a == nil {
			a = &acc{}
			byProfile[p] = a
		}
		if r.Score != nil && !math.IsNaN(*r.Score) {
			if err := dataset.CheckScore(*r.Score); err != nil {
				return nil, fmt.Errorf("corpus: dataset %s item %s: model %q: %w", d.Name, it.ID, m, err)
			}
			a.score += *r.Score
			a.scoreN++
		}
		if r.OutputTokens != nil && *r.OutputTokens > 0 {
			a.toks += *r.OutputTokens
			a.toksN++
		}
		if r.Score != nil {
			// A labelled model is a band candidate; at $0 it would win
			// every band sweep. Refused as eval refuses a candidate.
			if _, err := d.PriceOf(m); err != nil {
				return nil, fmt.Errorf("corpus: model %w", err)
			}
		}
		// A length-only model's entry is averaged in only where it is a
		// price: one without the format's fields is no $0.
		if pr, err := d.PriceOf(m); err == nil {
			a.in += pr.Input
			a.out += pr.Output
			a.priceN++
		}
	}
	keys := make([]int, 0, len(byProfile))
	for p, a := range byProfile {
		if a.scoreN > 0 || a.toksN > 0 {
			keys = append(keys, p)
		}
	}
	sort.Ints(keys)
	out := make([]Label, 0, len(keys))
	for _, p := range keys {
		a := byProfile[p]
		l := Label{Profile: p, Score: math.NaN()}
		if a.scoreN > 0 {
			l.Score = a.score / a.scoreN
		}
		if a.toksN > 0 {
			l.OutputTokens = a.toks / a.toksN
		}
		if a.priceN > 0 {
			l.InputPrice, l.OutputPrice = a.in/a.priceN, a.out/a.priceN
		}
		out = append(out, l)
	}
	return out, nil
}

// Tokenize fills every example's IDs with what the classifier reads of
// its text at inference: classifier.Window with encode, a conversation's
// last turn truncated to its first head and last tail tokens on its own
// and the context in the room left, a single prompt by classifier.Truncate.
// workers goroutines share the work; each gets its own encoder from
// newEncoder since tokenizers need not be safe for concurrent use.
func (c *Corpus) Tokenize(newEncoder func() (func(string) ([]int64, error), error), head, tail, workers int, progress func(int)) error {
	workers = max(workers, 1)
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			enc, err := newEncoder()
			if err != nil {
				errs <- err
				return
			}
			for i := w; i < len(c.Examples); i += workers {
				ids, err := classifier.Window(c.Examples[i].Text, head, tail, enc)
				if err != nil {
					errs <- fmt.Errorf("corpus: tokenize %s: %w", c.Examples[i].ID, err)
					return
				}
				c.Examples[i].IDs = ids
				if progress != nil {
					progress(1)
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// TaskClasses numbers the corpus's tasks: each distinct (dataset, task)
// pair is a class, in sorted order of "dataset/task". of[i] is example i's
// class, -1 where the example names no task. The trainer's auxiliary task
// loss uses them to make the prompt representation separate tasks.
func (c *Corpus) TaskClasses() (names []string, of []int) {
	key := func(ex Example) string { return c.Datasets[ex.Dataset].Name + "/" + ex.Task }
	seen := map[string]bool{}
	for _, ex := range c.Examples {
		if ex.Task != "" && !seen[key(ex)] {
			seen[key(ex)] = true
			names = append(names, key(ex))
		}
	}
	sort.Strings(names)
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	of = make([]int, len(c.Examples))
	for i, ex := range c.Examples {
		of[i] = -1
		if ex.Task != "" {
			of[i] = index[key(ex)]
		}
	}
	return names, of
}
