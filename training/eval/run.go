package eval

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/dataset"
)

// Options tune a run. The zero value evaluates every prompt with the
// default bands and sweep.
type Options struct {
	// Bands are the Balanced and Cost mode bands (router.json's); zero
	// means router.DefaultBands.
	Bands router.Bands
	// Sweep lists the bands of the quality-cost curve (default DefaultSweep
	// plus the two mode bands).
	Sweep []float64
	// Holdout, when set, keeps only the prompts it accepts for evaluation
	// (the ones the router model did not train on); the nearest-neighbour
	// baseline then trains on the others. When nil every prompt is
	// evaluated and the baseline is cross-fitted over Folds folds.
	Holdout func(*dataset.Item) bool
	Folds   int
	KNN     KNN
	// Fitted, when set, adds the BaselineFitted row: the router model with
	// every candidate's profile fitted on this dataset's labels, out of
	// sample as knn is.
	Fitted InDomain
	// Batch is the number of prompts per Predict call (default 128).
	Batch int
	// Log receives progress (nil: none).
	Log io.Writer
}

// DefaultSweep is the band sweep of the quality-cost curve: 0 (quality
// mode) to 1 (always the cheapest predicted), dense near 0 where the modes
// live.
func DefaultSweep() []float64 {
	out := make([]float64, 0, 41)
	for i := 0; i <= 40; i++ {
		f := float64(i) / 40
		out = append(out, f*f)
	}
	return out
}

// Result is one router's (or baseline's) numbers.
type Result struct {
	Modes map[router.Mode]Outcome `json:"modes"`
	AIQ   float64                 `json:"aiq"`
	// AIQFromZero is the same area divided by the largest cost instead of
	// the cost range, as RouterBench's code (evaluation/AIQ.py calc_AIQ)
	// computes it, while its paper divides by the range (AIQ): lower by
	// (cmax-cmin)/cmax, for comparing with numbers from that code.
	AIQFromZero float64 `json:"aiq_routerbench_code"`
	// Curve is the quality-cost curve; Threshold is the band (for the
	// random baseline: the position along its mix of single models).
	Curve []Point `json:"curve"`
	// Two-model candidate sets only; null where undefined (a single model,
	// no gap between the pair, more than two candidates). The keys are
	// always written, so a reader of report.json finds them as documented
	// rather than a missing key that reads as a different schema.
	APGR       *float64     `json:"apgr"`
	CPT50      *float64     `json:"cpt50"`
	CPT80      *float64     `json:"cpt80"`
	ShareCurve []SharePoint `json:"share_curve,omitempty"`
	// VsBestSingle is set for the router, knn, fitted profiles and the
	// oracle.
	VsBestSingle *VsBestSingle `json:"vs_best_single,omitempty"`
}

// Report is a whole evaluation.
type Report struct {
	Dataset    string      `json:"dataset"`
	Candidates []Candidate `json:"candidates"`
	Prompts    int         `json:"prompts"`
	Skipped    int         `json:"skipped_missing_labels"`
	// NoAnswerLengths: candidates the dataset records no answer length
	// for, whose cost is their input tokens only.
	NoAnswerLengths []string `json:"no_answer_lengths,omitempty"`
	// LeftOut: labelled models the default candidates left out for want
	// of a profile (the caller sets it), so that a report read later does
	// not pass for the whole pool's.
	LeftOut     []string     `json:"left_out_without_profile,omitempty"`
	HoldoutOnly bool         `json:"holdout_only"`
	NotHoldout  int          `json:"skipped_not_holdout"`
	Bands       router.Bands `json:"bands"`
	// Strong and Weak name the two-model pair (higher mean true quality
	// is strong).
	Strong    string            `json:"strong,omitempty"`
	Weak      string            `json:"weak,omitempty"`
	Router    Result            `json:"router"`
	Baselines map[string]Result `json:"baselines"`

	table *Table
	pred  RouterEstimates
}

// Baseline names in Report.Baselines; single models are "single:<name>".
const (
	BaselineRandom = "random"
	BaselineOracle = "oracle"
	BaselineKNN    = "knn"
	BaselineFitted = "fitted_profiles"
	singlePrefix   = "single:"
)

// perPrompt are the baselines that, like the router, predict every prompt
// and so have modes and a curve of their own, in report order (fitted
// profiles only when run).
var perPrompt = []string{BaselineKNN, BaselineFitted, BaselineOracle}

// Run evaluates the router model p on t and computes every baseline on
// the same prompts.
func Run(ctx context.Context, t *Table, p router.Predictor, opt Options) (*Report, error) {
	if opt.Bands == (router.Bands{}) {
		opt.Bands = router.DefaultBands
	}
	sweep := opt.Sweep
	if len(sweep) == 0 {
		sweep = append(DefaultSweep(), opt.Bands.Balanced, opt.Bands.Cost)
	}
	sweep = slices.Compact(slices.Sorted(slices.Values(sweep)))
	for _, b := range sweep {
		if b < 0 || b > 1 || math.IsNaN(b) {
			return nil, fmt.Errorf("band %v outside [0, 1]", b)
		}
	}
	rep := &Report{Dataset: t.Dataset, Candidates: t.Candidates, Skipped: t.Skipped, NoAnswerLengths: t.NoAnswerLengths,
		Bands: opt.Bands, Baselines: map[string]Result{}}

	et := t
	var train, test []int // test stays nil without a holdout: cross-fit
	if opt.Holdout != nil {
		rep.HoldoutOnly = true
		test = []int{}
		for i, r := range t.Rows {
			if opt.Holdout(r.Item) {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		if len(test) == 0 {
			return nil, fmt.Errorf("dataset %s: no prompt of the router model's holdout split has labels for every candidate", t.Dataset)
		}
		rep.NotHoldout = len(train)
		et = t.subset(test)
	}
	knnEst, err := outOfSample(opt.KNN, t, train, test, opt.Folds)
	if err != nil {
		return nil, err
	}
	var fittedEst Estimates
	if opt.Fitted != nil {
		if fittedEst, err = outOfSample(opt.Fitted, t, train, test, opt.Folds); err != nil {
			return nil, fmt.Errorf("fitted profiles: %w", err)
		}
	}
	rep.Prompts = len(et.Rows)
	rep.table = et

	pred, err := Predict(ctx, p, et, opt.Batch, opt.Log)
	if err != nil {
		return nil, err
	}
	rep.pred = pred
	rep.Candidates = calibrate(et, pred)

	pair := twoModel(et)
	if pair != nil {
		rep.Strong, rep.Weak = et.Candidates[pair[0]].Name, et.Candidates[pair[1]].Name
	}
	rep.Router = scored(et, pred.Estimates, opt.Bands, sweep, pair)
	rep.Baselines[BaselineKNN] = scored(et, knnEst, opt.Bands, sweep, pair)
	if opt.Fitted != nil {
		rep.Baselines[BaselineFitted] = scored(et, fittedEst, opt.Bands, sweep, pair)
	}
	rep.Baselines[BaselineOracle] = scored(et, truth(et), opt.Bands, sweep, pair)
	singles := make([]Point, len(et.Candidates))
	for j, c := range et.Candidates {
		res := single(et, j)
		rep.Baselines[singlePrefix+c.Name] = res
		singles[j] = res.Curve[0]
	}
	rep.Baselines[BaselineRandom] = random(et, singles, pair)
	b := bestSingle(singles)
	rep.Router.VsBestSingle = vsBestSingle(rep.Router.Curve, et.Candidates[b].Name, singles[b])
	for _, k := range perPrompt {
		r, ok := rep.Baselines[k]
		if !ok {
			continue
		}
		r.VsBestSingle = vsBestSingle(r.Curve, et.Candidates[b].Name, singles[b])
		rep.Baselines[k] = r
	}

	// AIQ over one cost range for all (every curve's points, single models
	// included, as RouterBench's code takes the largest cost of all), so the
	// numbers compare: divided by that range as the paper defines it, and
	// by the largest cost as its code does.
	cmin, cmax := math.Inf(1), math.Inf(-1)
	each := func(f func(*Result)) {
		f(&rep.Router)
		for k, r := range rep.Baselines {
			f(&r)
			rep.Baselines[k] = r
		}
	}
	each(func(r *Result) {
		for _, p := range r.Curve {
			cmin, cmax = math.Min(cmin, p.Cost), math.Max(cmax, p.Cost)
		}
	})
	each(func(r *Result) {
		r.AIQ = AIQ(r.Curve, cmin, cmax)
		r.AIQFromZero = AIQ(r.Curve, 0, cmax)
	})
	return rep, nil
}

// twoModel returns {strong, weak} for a two-candidate table: strong has
// the higher mean true quality (the higher mean cost on a tie).
func twoModel(t *Table) []int {
	if len(t.Candidates) != 2 {
		return nil
	}
	o0, o1 := single(t, 0).Modes[router.ModeQuality], single(t, 1).Modes[router.ModeQuality]
	if o1.Quality > o0.Quality || (o1.Quality == o0.Quality && o1.Cost > o0.Cost) {
		return []int{1, 0}
	}
	return []int{0, 1}
}

// scored evaluates a router that predicts per-candidate quality and cost:
// the mode policy for each mode and each band of the sweep, and for a pair
// the threshold sweep over the predicted gain of the strong model.
func scored(t *Table, est Estimates, bands router.Bands, sweep []float64, pair []int) Result {
	res := Result{Modes: map[router.Mode]Outcome{}}
	for _, m := range router.Modes {
		res.Modes[m] = outcome(t, est.choices(bands.Band(m)))
	}
	for _, b := range sweep {
		o := outcome(t, est.choices(b))
		res.Curve = append(res.Curve, Point{Threshold: b, Quality: o.Quality, Cost: o.Cost})
	}
	if pair != nil {
		gain := make([]float64, len(t.Rows))
		for i := range t.Rows {
			gain[i] = est.Quality[i][pair[0]] - est.Quality[i][pair[1]]
		}
		res.pairMetrics(t, pair, ShareCurve(t, pair[0], pair[1], gain))
	}
	return res
}

func (r *Result) pairMetrics(t *Table, pair []int, curve []SharePoint) {
	qs := single(t, pair[0]).Modes[router.ModeQuality].Quality
	qw := single(t, pair[1]).Modes[router.ModeQuality].Quality
	r.ShareCurve = thin(curve, 200)
	r.APGR = finite(APGR(curve, qw, qs))
	r.CPT50 = finite(CPT(curve, 0.5, qw, qs))
	r.CPT80 = finite(CPT(curve, 0.8, qw, qs))
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// single is the router that always calls candidate j: one point.
func single(t *Table, j int) Result {
	choice := make([]int, len(t.Rows))
	for i := range choice {
		choice[i] = j
	}
	o := outcome(t, choice)
	res := Result{Modes: map[router.Mode]Outcome{}}
	for _, m := range router.Modes {
		res.Modes[m] = o
	}
	res.Curve = []Point{{Quality: o.Quality, Cost: o.Cost}}
	return res
}

// random is the router that calls a candidate at random, in expectation.
// Its modes call each candidate equally often; its curve is RouterBench's
// zero router, the mixes of single models along their hull; for a pair its
// share curve is the straight line from the weak to the strong model.
func random(t *Table, singles []Point, pair []int) Result {
	res := Result{Modes: map[router.Mode]Outcome{}}
	o := Outcome{Share: map[string]float64{}}
	for j, c := range t.Candidates {
		o.Quality += singles[j].Quality / float64(len(singles))
		o.Cost += singles[j].Cost / float64(len(singles))
		o.Share[c.Name] = 1 / float64(len(singles))
	}
	for _, m := range router.Modes {
		res.Modes[m] = o
	}
	hull := NDCH(singles)
	for i, p := range hull {
		p.Threshold = float64(i) / float64(max(len(hull)-1, 1))
		res.Curve = append(res.Curve, p)
	}
	if pair != nil {
		s, w := singles[pair[0]], singles[pair[1]]
		res.pairMetrics(t, pair, []SharePoint{
			{Threshold: 0, StrongShare: 0, Quality: w.Quality, Cost: w.Cost},
			{Threshold: 1, StrongShare: 1, Quality: s.Quality, Cost: s.Cost},
		})
	}
	return res
}

// BaselineNames returns the report's baseline names in display order:
// oracle, knn, fitted profiles (when run), random, then single models by
// cost.
func (r *Report) BaselineNames() []string {
	names := []string{BaselineOracle, BaselineKNN}
	if _, ok := r.Baselines[BaselineFitted]; ok {
		names = append(names, BaselineFitted)
	}
	names = append(names, BaselineRandom)
	var singles []string
	for k := range r.Baselines {
		if len(k) > len(singlePrefix) && k[:len(singlePrefix)] == singlePrefix {
			singles = append(singles, k)
		}
	}
	sort.Slice(singles, func(i, j int) bool {
		return r.Baselines[singles[i]].Curve[0].Cost < r.Baselines[singles[j]].Curve[0].Cost
	})
	return append(names, singles...)
}

// thin keeps about n evenly spread points of a share curve (and both ends)
// for report.json; the metrics use every point.
func thin(curve []SharePoint, n int) []SharePoint {
	if len(curve) <= n+1 {
		return curve
	}
	out := make([]SharePoint, 0, n+1)
	for i := 0; i <= n; i++ {
		out = append(out, curve[i*(len(curve)-1)/n])
	}
	return out
}
