package eval

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// Candidate is one model of the candidate set: its name in the dataset, the
// router-model profile whose predictions stand for it, and its price.
type Candidate struct {
	Name          string  `json:"name"`
	Profile       string  `json:"profile"`
	InputPerMTok  float64 `json:"input_usd_per_mtok"`
	OutputPerMTok float64 `json:"output_usd_per_mtok"`
	// ReasoningTokens are hidden, billed tokens added to every answer of a
	// reasoning model (public answer lengths do not show them).
	ReasoningTokens float64 `json:"reasoning_tokens,omitempty"`
	// Calibration is set by Run: the router model's mean estimates next
	// to the truth (its fields sit in the candidate's JSON object).
	*Calibration
}

// Model is the candidate as the router's cost formula sees it.
func (c Candidate) Model() router.Model {
	return router.Model{ID: c.Name, Profile: c.Profile, InputPerMTok: c.InputPerMTok, OutputPerMTok: c.OutputPerMTok, ReasoningTokens: c.ReasoningTokens}
}

// Row is one prompt with every candidate's true outcome, indexed like
// Table.Candidates.
type Row struct {
	Item         *dataset.Item
	Score        []float64
	OutputTokens []float64
	Cost         []float64 // USD of answering with that candidate
}

// Table is the evaluation's ground truth: the prompts on which every
// candidate has a quality label.
type Table struct {
	Dataset    string
	Candidates []Candidate
	Rows       []Row
	// Skipped counts prompts left out because a candidate has no label.
	Skipped int
	// NoAnswerLengths names the candidates with no answer length anywhere
	// in the dataset: their true cost counts input tokens only.
	NoAnswerLengths []string
}

// LabelledModels returns the dataset's models that carry at least one
// quality label, sorted: the default candidate set.
func LabelledModels(d *dataset.Dataset) []string {
	seen := map[string]bool{}
	for i := range d.Items {
		for m, r := range d.Items[i].Results {
			if r.Score != nil {
				seen[m] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// DefaultCandidates are the labelled models of the dataset whose profile
// (mapping first, else dataset.Canonical) is among the router model's
// profiles; every labelled model when profiles is empty.
func DefaultCandidates(d *dataset.Dataset, mapping map[string]string, profiles []string) []string {
	var out []string
	for _, m := range LabelledModels(d) {
		if len(profiles) == 0 || slices.Contains(profiles, profileOf(m, mapping)) {
			out = append(out, m)
		}
	}
	return out
}

// profileOf is the profile that stands for dataset model m: the mapping's,
// else its canonical name.
func profileOf(m string, mapping map[string]string) string {
	if p := mapping[m]; p != "" {
		return p
	}
	return dataset.Canonical(m)
}

// byProfile splits the dataset's labelled models into those with one of
// the router model's profiles and those without; have is profiles, sorted.
func byProfile(d *dataset.Dataset, mapping map[string]string, profiles []string) (have, with, without []string) {
	have = slices.Sorted(slices.Values(profiles))
	for _, m := range LabelledModels(d) {
		if slices.Contains(have, profileOf(m, mapping)) {
			with = append(with, m)
		} else {
			without = append(without, m)
		}
	}
	return have, with, without
}

// withClosest adds to each model without a profile the closest profiles
// by name, so the user can write its --map without listing them all.
func withClosest(without []string, mapping map[string]string, have []string) []string {
	out := make([]string, len(without))
	for i, m := range without {
		out[i] = m
		if near := nearestProfiles(profileOf(m, mapping), have); len(near) > 0 {
			out[i] += " (closest by name: " + strings.Join(near, ", ") + ")"
		}
	}
	return out
}

// ResolveCandidates reads --candidates names against the dataset's
// labelled models: a name the dataset labels is kept; a name it does not,
// where exactly one labelled model has the same profile name
// (dataset.Canonical: "mixtral-8x7b-instruct-v0.1" for
// "mistralai/Mixtral-8x7B-Instruct-v0.1"), becomes that model's name in
// this dataset, so one list covers datasets that spell a model
// differently (RouteLLM's MT-Bench judgments and its MMLU and GSM8K
// answers do); renamed maps the name given to the dataset's. missing are
// the names with neither; the others keep their order.
func ResolveCandidates(d *dataset.Dataset, names []string) (resolved []string, renamed map[string]string, missing []string) {
	labelled := LabelledModels(d)
	for _, n := range names {
		m, ok := labelledAs(labelled, n)
		if !ok || m != n && slices.Contains(names, m) {
			missing = append(missing, n)
			continue
		}
		if m != n {
			if renamed == nil {
				renamed = map[string]string{}
			}
			renamed[n] = m
		}
		resolved = append(resolved, m)
	}
	return resolved, renamed, missing
}

// ResolveKeys reads the dataset model names that key a --map or
// --reasoning-tokens flag as ResolveCandidates reads --candidates: a key
// the dataset does not label, where exactly one labelled model has the
// same profile name and no other key names that model, is moved to the
// dataset's spelling, so the entry follows its candidate there (an entry
// written "mixtral-8x7b-instruct-v0.1" applies to RouteLLM's MMLU answers'
// "mistralai/Mixtral-8x7B-Instruct-v0.1"). Other keys are kept as given;
// renamed maps each moved key to the dataset's name.
func ResolveKeys[V any](d *dataset.Dataset, entries map[string]V) (resolved map[string]V, renamed map[string]string) {
	labelled := LabelledModels(d)
	resolved = make(map[string]V, len(entries))
	// In order, so that of two keys for one model the first moves, every run.
	for _, n := range slices.Sorted(maps.Keys(entries)) {
		v := entries[n]
		m, ok := labelledAs(labelled, n)
		_, taken := entries[m] // the entry for the dataset's own spelling wins there
		if _, moved := resolved[m]; moved && m != n {
			taken = true
		}
		if !ok || m == n || taken {
			resolved[n] = v
			continue
		}
		if renamed == nil {
			renamed = map[string]string{}
		}
		renamed[n] = m
		resolved[m] = v
	}
	return resolved, renamed
}

// labelledAs is the labelled model that name n stands for: n itself, else
// the one labelled model with n's profile name (dataset.Canonical).
func labelledAs(labelled []string, n string) (string, bool) {
	if slices.Contains(labelled, n) {
		return n, true
	}
	var same []string
	for _, m := range labelled {
		if dataset.Canonical(m) == dataset.Canonical(n) {
			same = append(same, m)
		}
	}
	if len(same) != 1 {
		return "", false
	}
	return same[0], true
}

// MissingProfiles names the labelled models of the dataset that no
// profile stands for (mapping first, else dataset.Canonical), each with
// the closest profiles by name.
func MissingProfiles(d *dataset.Dataset, mapping map[string]string, profiles []string) []string {
	have, _, without := byProfile(d, mapping, profiles)
	return withClosest(without, mapping, have)
}

// LeftOutWithoutProfile names, plainly, the labelled models of the
// dataset that DefaultCandidates leaves out because no profile stands for
// them, for the report (Report.LeftOut).
func LeftOutWithoutProfile(d *dataset.Dataset, mapping map[string]string, profiles []string) []string {
	_, _, without := byProfile(d, mapping, profiles)
	return without
}

// WithoutProfile names the labelled models of the dataset that
// DefaultCandidates leaves out because no profile stands for them, each
// with the closest profiles by name, and says which --map brings them in;
// "" when every labelled model has one. Without it a pool evaluated with
// the default candidates loses such a model without a word, and its
// numbers read as the whole pool's.
func WithoutProfile(name string, d *dataset.Dataset, mapping map[string]string, profiles []string) string {
	if len(profiles) == 0 {
		return ""
	}
	without := MissingProfiles(d, mapping, profiles)
	if len(without) == 0 {
		return ""
	}
	first, _, _ := strings.Cut(without[0], " ")
	return fmt.Sprintf("%s: left out of the default candidates, labelled but without a router-model profile: %s; to route them too, give each the profile that stands for it with --map datasetModel=profile (e.g. --map %s=<profile>)",
		name, strings.Join(without, "; "), first)
}

// TooFewWithProfile is the error for a dataset where fewer than two
// labelled models have a profile by DefaultCandidates' rule, typically one
// whose model names the router model never saw. It names the models
// without one (with the closest profiles by name) and the profiles a
// --map may give them, so the user need not guess profile names; --map
// alone makes them candidates.
func TooFewWithProfile(name string, d *dataset.Dataset, mapping map[string]string, profiles []string) error {
	have, with, without := byProfile(d, mapping, profiles)
	without = withClosest(without, mapping, have)
	only := ""
	if len(with) > 0 {
		only = " (only " + strings.Join(with, ", ") + ")"
	}
	first, _, _ := strings.Cut(without[0], " ")
	return fmt.Errorf("%s: fewer than 2 of its labelled models have a router-model profile%s; no profile for %s: give each the profile that stands for it with --map datasetModel=profile (repeatable, e.g. --map %s=<profile>; --candidates then picks among them), one of: %s",
		name, only, strings.Join(without, "; "), first, strings.Join(have, ", "))
}

// ParseMap reads `datasetModel=profile` pairs.
func ParseMap(pairs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("--map %q: want datasetModel=profile", p)
		}
		// One model, one profile: the last of two would win unseen.
		if prev, dup := out[k]; dup && prev != v {
			return nil, fmt.Errorf("--map gives %s two profiles, %s and %s: keep one", k, prev, v)
		}
		out[k] = v
	}
	return out, nil
}

// ParseReasoningTokens reads `datasetModel=N` pairs for SetReasoningTokens,
// refusing a count it would refuse before any work is done.
func ParseReasoningTokens(pairs []string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("--reasoning-tokens %q: want datasetModel=N", p)
		}
		if err := checkReasoningTokens(n); err != nil {
			return nil, fmt.Errorf("--reasoning-tokens %q: %w", p, err)
		}
		k = strings.TrimSpace(k)
		if prev, dup := out[k]; dup && prev != n {
			return nil, fmt.Errorf("--reasoning-tokens gives %s two counts, %g and %g: keep one", k, prev, n)
		}
		out[k] = n
	}
	return out, nil
}

// pricedOf is names, in their order, less those without a price: the
// --candidates that leaves the unpriced out. Fewer than two is nothing to
// route between, and then no way out.
func pricedOf(d *dataset.Dataset, names []string) []string {
	var out []string
	for _, n := range names {
		if _, err := d.PriceOf(n); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// checkReasoningTokens refuses NaN, Inf and negative counts: ParseFloat
// takes them, and they would make every cost of the candidate non-finite.
func checkReasoningTokens(n float64) error {
	if !(n >= 0) || math.IsInf(n, 1) { // NaN fails n >= 0
		return fmt.Errorf("want a finite count >= 0, got %g", n)
	}
	return nil
}

// BuildTable selects the candidates (nil: every labelled model of the
// dataset), maps each to a profile (mapping first, else dataset.Canonical)
// and keeps the prompts on which all of them have a label. A true output
// length missing from the source is replaced by the candidate's mean over
// the dataset (0 when the source has no answers at all), so cost stays
// comparable across candidates.
func BuildTable(d *dataset.Dataset, names []string, mapping map[string]string) (*Table, error) {
	labelled := LabelledModels(d)
	if len(names) == 0 {
		names = labelled
	}
	t := &Table{Dataset: d.Name}
	for _, n := range names {
		if slices.ContainsFunc(t.Candidates, func(c Candidate) bool { return c.Name == n }) {
			return nil, fmt.Errorf("candidate %q named twice", n)
		}
		if !slices.Contains(labelled, n) {
			return nil, fmt.Errorf("candidate %q has no quality labels in dataset %s; models with labels: %s",
				n, d.Name, strings.Join(labelled, ", "))
		}
		// Labelled but unpriced is a gap in models.json, not in the labels:
		// say so, or the fix looks like relabelling.
		price, err := d.PriceOf(n)
		if err != nil {
			if priced := pricedOf(d, names); len(priced) >= 2 {
				return nil, fmt.Errorf("candidate %w, or leave out the candidates without a price: --candidates %s", err, strings.Join(priced, ","))
			}
			return nil, fmt.Errorf("candidate %w", err)
		}
		profile := mapping[n]
		if profile == "" {
			profile = dataset.Canonical(n)
		}
		t.Candidates = append(t.Candidates, Candidate{Name: n, Profile: profile, InputPerMTok: price.Input, OutputPerMTok: price.Output})
	}
	for k := range mapping {
		if !slices.Contains(names, k) {
			return nil, fmt.Errorf("--map names %q, which is not a candidate (candidates: %s)", k, strings.Join(names, ", "))
		}
	}
	if len(t.Candidates) < 2 {
		return nil, fmt.Errorf("routing needs at least 2 candidates, got %d", len(t.Candidates))
	}
	meanOut, lengths := meanOutputTokens(d, names)
	for j, n := range lengths {
		if n == 0 {
			t.NoAnswerLengths = append(t.NoAnswerLengths, names[j])
		}
	}
	for i := range d.Items {
		it := &d.Items[i]
		row := Row{Item: it}
		ok := true
		for j, c := range t.Candidates {
			r, has := it.Results[c.Name]
			if !has || r.Score == nil {
				ok = false
				break
			}
			out := meanOut[j]
			if r.OutputTokens != nil {
				out = *r.OutputTokens
			}
			// Load refuses such a score; a dataset built in memory must not
			// reach the oracle with one either (all negative: no pick).
			if err := dataset.CheckScore(*r.Score); err != nil {
				return nil, fmt.Errorf("dataset %s item %s: candidate %q: %w", d.Name, it.ID, c.Name, err)
			}
			row.Score = append(row.Score, *r.Score)
			row.OutputTokens = append(row.OutputTokens, out)
			row.Cost = append(row.Cost, router.ExpectedCost(c.Model(), it.InputTokens, out))
		}
		if !ok {
			t.Skipped++
			continue
		}
		t.Rows = append(t.Rows, row)
	}
	if len(t.Rows) == 0 {
		return nil, fmt.Errorf("dataset %s: no prompt has labels for all of %s (%d skipped)", d.Name, strings.Join(names, ", "), t.Skipped)
	}
	return t, nil
}

// meanOutputTokens returns each model's mean answer length over the items
// that record one, and how many do.
func meanOutputTokens(d *dataset.Dataset, names []string) (mean, count []float64) {
	sum := make([]float64, len(names))
	n := make([]float64, len(names))
	for i := range d.Items {
		for j, name := range names {
			if r, ok := d.Items[i].Results[name]; ok && r.OutputTokens != nil {
				sum[j] += *r.OutputTokens
				n[j]++
			}
		}
	}
	for j := range sum {
		if n[j] > 0 {
			sum[j] /= n[j]
		}
	}
	return sum, n
}

// subset returns a table with only the given rows (same candidates).
func (t *Table) subset(rows []int) *Table {
	s := &Table{Dataset: t.Dataset, Candidates: t.Candidates, Skipped: t.Skipped, NoAnswerLengths: t.NoAnswerLengths}
	for _, i := range rows {
		s.Rows = append(s.Rows, t.Rows[i])
	}
	return s
}

// SetReasoningTokens bills n hidden reasoning tokens on every answer of
// the named candidates, in true and predicted cost alike (the gateway adds
// the catalog's reasoning_tokens the same way).
func (t *Table) SetReasoningTokens(tokens map[string]float64) error {
	for name, n := range tokens {
		j := slices.IndexFunc(t.Candidates, func(c Candidate) bool { return c.Name == name })
		if j < 0 {
			return fmt.Errorf("--reasoning-tokens names %q, which is not a candidate", name)
		}
		if err := checkReasoningTokens(n); err != nil {
			return fmt.Errorf("--reasoning-tokens %s: %w", name, err)
		}
		t.Candidates[j].ReasoningTokens = n
		for i := range t.Rows {
			r := &t.Rows[i]
			r.Cost[j] = router.ExpectedCost(t.Candidates[j].Model(), r.Item.InputTokens, r.OutputTokens[j])
		}
	}
	return nil
}
