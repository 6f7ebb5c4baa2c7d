package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/training/arch"
	"github.com/modelrouter/modelrouter/training/calibrate"
	"github.com/modelrouter/modelrouter/training/corpus"
	"github.com/modelrouter/modelrouter/training/fit"
)

// Metrics go into router.json's metrics and PROVENANCE.md.
type Metrics struct {
	Validation  Validation    `json:"validation"`
	Bands       Bands         `json:"bands"`
	LeaveOneOut []LeaveOneOut `json:"leave_one_dataset_out,omitempty"`
	// LeaveOneTaskOut is leave-one-task-out, one entry per task left out.
	LeaveOneTaskOut []LeaveOneTaskOut `json:"leave_one_task_out,omitempty"`
	// UnseenBands applies the bands to the leave-one-task-out prompts.
	UnseenBands *UnseenBands `json:"unseen_task_bands,omitempty"`
	// LengthCorrection turns the length head into a mean (lengthmean.go).
	LengthCorrection *LengthCorrection `json:"length_correction,omitempty"`
	Training         TrainingInfo      `json:"training"`
	TrainSeconds     float64           `json:"train_seconds"`
	Notes            map[string]string `json:"notes,omitempty"`
}

// Validation holds the held-out prompts' numbers, computed with the
// exported (calibrated, dataset-free) predictions.
type Validation struct {
	Prompts      int `json:"prompts"`
	QualityPairs int `json:"quality_pairs"`
	LengthPairs  int `json:"length_pairs"`
	// BCE is the mean cross-entropy of the calibrated quality against the
	// (soft) labels.
	BCE float64 `json:"bce"`
	// ECE is the expected calibration error (10 bins) of the calibrated
	// quality; ECECrossFit fits Platt on one half of the prompts and
	// measures on the other, both ways, so it is not in-sample.
	ECE         float64 `json:"ece"`
	ECECrossFit float64 `json:"ece_cross_fit"`
	// AUC per dataset over all (prompt, profile) pairs (scores >= 0.5
	// positive); WithinPromptAUC only compares profiles on the same prompt,
	// which is what routing needs.
	AUC             map[string]float64 `json:"auc"`
	WithinPromptAUC map[string]float64 `json:"within_prompt_auc"`
	// ProfileOnlyAUC is the within-prompt AUC of ranking every prompt's
	// models by their mean training score on the dataset: what the router
	// must beat to have learned anything from the prompt.
	ProfileOnlyAUC map[string]float64 `json:"profile_only_within_prompt_auc"`
	// TaskLookupAUC ranks by each profile's mean training score on the
	// prompt's dataset and task (MMLU-Pro category, LLMRouter benchmark).
	TaskLookupAUC map[string]float64 `json:"task_lookup_within_prompt_auc"`
	// WithinTaskAUC and WithinTaskGapAUC rank a task's prompts for one
	// profile and for one pair of profiles (see withintask.go); any
	// per-task lookup scores 0.5 on both.
	WithinTaskAUC    map[string]float64 `json:"within_task_auc,omitempty"`
	WithinTaskGapAUC map[string]float64 `json:"within_task_gap_auc,omitempty"`
	// LengthOnlyWithinTaskAUC is WithinTaskAUC of "longer prompts are
	// harder" (no model): the simplest guess the model has to beat.
	LengthOnlyWithinTaskAUC map[string]float64 `json:"length_only_within_task_auc,omitempty"`
	// LookupBCE is the BCE of predicting each pair by its profile's mean
	// training score on the dataset: the model without any prompt
	// information, for comparison with BCE (before Platt; Laplace-smoothed).
	LookupBCE float64 `json:"lookup_bce"`
	// LengthMAELog is the mean |log predicted - log true| output tokens,
	// before the mean correction (which moves every prediction of a
	// profile up by its factor, see LengthCorrection).
	LengthMAELog map[string]float64 `json:"length_mae_log"`
	// Routing compares, per dataset, the mean true score of the model the
	// Quality mode picks with the best single profile, a random pick and
	// the oracle, over the prompt's labelled models.
	Routing map[string]Routing `json:"routing"`
	Platt   calibrate.Platt    `json:"platt"`
}

// MarshalJSON leaves the measured numbers out when no prompt was held out
// (--val 0): zeros there would read as a perfect BCE and ECE. The Platt
// scaling stays, since the exported weights carry it.
func (v Validation) MarshalJSON() ([]byte, error) {
	type plain Validation
	if v.Prompts > 0 {
		return json.Marshal(plain(v))
	}
	return json.Marshal(struct {
		Prompts int             `json:"prompts"`
		Note    string          `json:"note"`
		Platt   calibrate.Platt `json:"platt"`
	}{0, "not measured: no validation prompts (--val 0); the model is not calibrated", v.Platt})
}

// Routing is one dataset's mean true score under four choosers.
type Routing struct {
	Router     float64 `json:"router"`
	BestSingle float64 `json:"best_single"`
	Random     float64 `json:"random"`
	Oracle     float64 `json:"oracle"`
}

// Bands are the chosen mode bands and what they do on validation.
type Bands struct {
	Balanced calibrate.BandResult `json:"balanced"`
	Cost     calibrate.BandResult `json:"cost"`
	// MaxLoss are the allowed relative quality losses.
	MaxLossBalanced float64 `json:"max_loss_balanced"`
	MaxLossCost     float64 `json:"max_loss_cost"`
	// ChosenOn says which prompts the bands keep their limits on:
	// "validation", or "validation and unseen tasks" when the
	// leave-one-task-out runs scored tasks (chooseBandsWithUnseen).
	ChosenOn string `json:"chosen_on,omitempty"`
	// Target is the loss each band was chosen to keep: the limit on
	// validation alone; with unseen tasks, the limit or less where a task
	// under the band chosen without it lost more (chooseBandsWithUnseen).
	TargetBalanced float64 `json:"target_loss_balanced"`
	TargetCost     float64 `json:"target_loss_cost"`
}

// LeaveOneOut is a model trained without one dataset, measured on it.
type LeaveOneOut struct {
	Dataset         string  `json:"dataset"`
	Prompts         int     `json:"prompts"`
	Pairs           int     `json:"pairs"`
	AUC             float64 `json:"auc"`
	WithinPromptAUC float64 `json:"within_prompt_auc"`
	Router          float64 `json:"router_mean_score"`
	BestSingle      float64 `json:"best_single_mean_score"`
	Epochs          int     `json:"epochs"`
}

// TrainingInfo records the optimiser settings and learned offsets.
type TrainingInfo struct {
	Epochs       int     `json:"epochs"`
	Batch        int     `json:"batch"`
	LR           float64 `json:"lr"`
	WeightDecay  float64 `json:"weight_decay"`
	LengthWeight float64 `json:"length_weight"`
	PairWeight   float64 `json:"pair_weight,omitempty"`
	TaskWeight   float64 `json:"task_weight,omitempty"`
	TokenDrop    float64 `json:"token_drop,omitempty"`
	ProfileDecay float64 `json:"profile_decay,omitempty"`
	// BiasInit is how quality biases and dataset offsets started: "joint"
	// (fitted together, fit.initBiases) or "raw" (own means, offsets 0).
	BiasInit string `json:"bias_init"`
	// Levels are the leaderboards that labelled training prompts with
	// model-level scores (corpus.AddLevels).
	Levels          []corpus.LevelsInfo `json:"levels,omitempty"`
	EmbInit         float64             `json:"emb_init"`
	W1Init          float64             `json:"w1_init"`
	EmbLR           float64             `json:"emb_lr_scale"`
	Members         int                 `json:"members,omitempty"`
	PretrainScale   float64             `json:"pretrain_scale,omitempty"`
	PretrainTexts   int                 `json:"pretrain_texts,omitempty"`
	EMA             float64             `json:"ema"`
	Seed            uint64              `json:"seed"`
	InferenceOffset float64             `json:"inference_offset"`
	DatasetOffsets  map[string]float64  `json:"dataset_offsets"`
	// HiddenLabels are the results removed by --hide-labels.
	HiddenLabels []HiddenLabels `json:"hidden_labels,omitempty"`
	// LOTOOwnTokenizer: each leave-one-task-out retrain learned its own
	// tokenizer without the left-out task (Options.LOTOOwnTokenizer).
	LOTOOwnTokenizer bool `json:"loto_own_tokenizer,omitempty"`
}

// Band limits from the issue: realised quality loss at most 2 % (Balanced)
// and 6 % (Cost) of the best-predicted candidate's.
const (
	maxLossBalanced = 0.02
	maxLossCost     = 0.06
)

// prediction is one validation prompt's model outputs.
type prediction struct {
	ex      corpus.Example
	logits  []float64 // with the inference offset, before Platt
	logLens []float64
}

type evaluation struct {
	metrics Metrics
	platt   calibrate.Platt
	// lengthLog is each profile's log length correction (nil: none).
	lengthLog []float64
	// bandPrompts are the validation prompts as the bands see them.
	bandPrompts []calibrate.Prompt
}

func predictAll(c *corpus.Corpus, idx []int, p *fit.Params, offset float64) []prediction {
	out := make([]prediction, len(idx))
	for k, i := range idx {
		l, ll, _ := p.Predict(c.Examples[i].IDs, offset)
		out[k] = prediction{ex: c.Examples[i], logits: l, logLens: ll}
	}
	return out
}

// finitePredictions reports whether every quality logit and answer
// length (exp of its log) of preds is a finite number. Finite weights can
// still be large enough that a length overflows.
func finitePredictions(preds []prediction) bool {
	for _, pr := range preds {
		for i, l := range pr.logits {
			if math.IsNaN(l) || math.IsInf(l, 0) || math.IsNaN(pr.logLens[i]) || math.IsInf(math.Exp(pr.logLens[i]), 0) {
				return false
			}
		}
	}
	return true
}

// evaluate measures p on the validation prompts and fits Platt scaling.
// lr is the step size it was trained with, for the message when it diverged.
func evaluate(c *corpus.Corpus, train, val []int, p *fit.Params, offset, lr float64) (evaluation, error) {
	var ev evaluation
	if len(val) == 0 {
		// --val 0: the card records the identity calibration the exported
		// weights carry, and bands that were not chosen on anything.
		ev.platt = calibrate.Platt{A: 1}
		ev.metrics.Validation.Platt = ev.platt
		ev.metrics.Bands = Bands{Balanced: calibrate.BandResult{Band: router.DefaultBands.Balanced},
			Cost: calibrate.BandResult{Band: router.DefaultBands.Cost}, MaxLossBalanced: maxLossBalanced, MaxLossCost: maxLossCost,
			ChosenOn: chosenOnDefaults}
		return ev, nil
	}
	preds := predictAll(c, val, p, offset)
	if !finitePredictions(preds) {
		return ev, divergedError("its predictions on the validation prompts", lr)
	}
	var logits, ys []float64
	var half []bool
	for k, pr := range preds {
		for _, l := range pr.ex.Labels {
			if l.HasScore() {
				logits = append(logits, pr.logits[l.Profile])
				ys = append(ys, l.Score)
				half = append(half, k%2 == 0)
			}
		}
	}
	if len(logits) == 0 {
		return ev, fmt.Errorf("no quality labels among the %d validation prompts", len(val))
	}
	platt, err := calibrate.FitPlatt(logits, ys)
	if err != nil {
		return ev, err
	}
	ev.platt = platt
	v := &ev.metrics.Validation
	v.Platt = platt
	v.Prompts = len(val)
	v.QualityPairs = len(logits)
	probs := make([]float64, len(logits))
	for i, l := range logits {
		probs[i] = platt.Apply(l)
	}
	var info LengthCorrection
	ev.lengthLog, info = lengthCorrection(c, preds)
	ev.metrics.LengthCorrection = &info
	v.BCE = round4(calibrate.BCE(probs, ys))
	v.ECE = round4(calibrate.ECE(probs, ys, 10))
	v.ECECrossFit = round4(crossFitECE(logits, ys, half))

	best := bestSingleRanking(c, train)
	v.AUC, v.WithinPromptAUC, v.ProfileOnlyAUC, v.TaskLookupAUC = map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	v.LengthMAELog, v.Routing = map[string]float64{}, map[string]Routing{}
	v.WithinTaskAUC, v.WithinTaskGapAUC, v.LengthOnlyWithinTaskAUC = map[string]float64{}, map[string]float64{}, map[string]float64{}
	byDataset, byTask := lookupTable(c, train, false), lookupTable(c, train, true)
	v.LookupBCE = round4(lookupBCE(preds, byDataset))
	for d, info := range c.Datasets {
		var dp []prediction
		for _, pr := range preds {
			if pr.ex.Dataset == d {
				dp = append(dp, pr)
			}
		}
		if len(dp) == 0 {
			continue
		}
		if info.QualityLabels > 0 {
			s, y := pairs(dp, platt, nil)
			// A dataset whose prompts never rank two profiles (one rated
			// answer per prompt, as feedback gives) has no AUC: its key is
			// left out rather than written as NaN, which JSON cannot hold.
			setFinite(v.AUC, info.Name, calibrate.AUC(s, y))
			setFinite(v.WithinPromptAUC, info.Name, withinPromptAUC(dp, nil))
			setFinite(v.ProfileOnlyAUC, info.Name, withinPromptAUC(profileOnly(dp, best[d]), nil))
			setFinite(v.TaskLookupAUC, info.Name, withinPromptAUC(lookupPredictions(dp, byTask, true), nil))
			v.Routing[info.Name] = routing(dp, best[d])
			setFinite(v.WithinTaskAUC, info.Name, withinTaskAUC(dp))
			setFinite(v.WithinTaskGapAUC, info.Name, withinTaskGapAUC(dp))
			setFinite(v.LengthOnlyWithinTaskAUC, info.Name, withinTaskAUC(lengthOnly(dp)))
		}
		if mae, n := lengthMAE(dp); n > 0 {
			v.LengthMAELog[info.Name] = round4(mae)
			v.LengthPairs += n
		}
	}
	ev.bandPrompts = bandPrompts(preds, platt, ev.lengthLog)
	bal, err := calibrate.ChooseBand(ev.bandPrompts, bandGrid, maxLossBalanced)
	if err != nil {
		return ev, err
	}
	cost, err := calibrate.ChooseBand(ev.bandPrompts, bandGrid, maxLossCost)
	if err != nil {
		return ev, err
	}
	ev.metrics.Bands = Bands{Balanced: roundBand(bal), Cost: roundBand(cost), MaxLossBalanced: maxLossBalanced, MaxLossCost: maxLossCost,
		ChosenOn: chosenOnValidation, TargetBalanced: maxLossBalanced, TargetCost: maxLossCost}
	return ev, nil
}

func roundBand(b calibrate.BandResult) calibrate.BandResult {
	return calibrate.BandResult{Band: b.Band, Loss: round4(b.Loss), CostShare: round4(b.CostShare), Quality: round4(b.Quality)}
}

// crossFitECE fits Platt on each half and measures ECE on the other.
func crossFitECE(logits, ys []float64, half []bool) float64 {
	var out []float64
	var outY []float64
	for _, side := range []bool{true, false} {
		var fl, fy []float64
		for i := range logits {
			if half[i] == side {
				fl, fy = append(fl, logits[i]), append(fy, ys[i])
			}
		}
		pl, err := calibrate.FitPlatt(fl, fy)
		if err != nil {
			return math.NaN()
		}
		for i := range logits {
			if half[i] != side {
				out, outY = append(out, pl.Apply(logits[i])), append(outY, ys[i])
			}
		}
	}
	return calibrate.ECE(out, outY, 10)
}

// pairs lists calibrated predictions and labels of every quality pair,
// only for profiles in keep when keep is set.
func pairs(dp []prediction, platt calibrate.Platt, keep map[int]bool) (s, y []float64) {
	for _, pr := range dp {
		for _, l := range pr.ex.Labels {
			if l.HasScore() && (keep == nil || keep[l.Profile]) {
				s = append(s, platt.Apply(pr.logits[l.Profile]))
				y = append(y, l.Score)
			}
		}
	}
	return s, y
}

// withinPromptAUC is the share of same-prompt profile pairs with different
// scores that the prediction orders correctly (ties half).
func withinPromptAUC(dp []prediction, keep map[int]bool) float64 {
	var right, total float64
	for _, pr := range dp {
		ls := pr.ex.Labels
		for i := range ls {
			for j := range ls {
				a, b := ls[i], ls[j]
				if !a.HasScore() || !b.HasScore() || a.Score <= b.Score {
					continue
				}
				if keep != nil && (!keep[a.Profile] || !keep[b.Profile]) {
					continue
				}
				total++
				switch pa, pb := pr.logits[a.Profile], pr.logits[b.Profile]; {
				case pa > pb:
					right++
				case pa == pb:
					right += 0.5
				}
			}
		}
	}
	if total == 0 {
		return math.NaN()
	}
	return right / total
}

// bestSingleRanking orders, per dataset, the profiles by mean training
// score: the "always use the best model" baseline.
func bestSingleRanking(c *corpus.Corpus, train []int) [][]int {
	out := make([][]int, len(c.Datasets))
	for d := range c.Datasets {
		sum, n := map[int]float64{}, map[int]float64{}
		for _, i := range train {
			ex := c.Examples[i]
			if ex.Dataset != d {
				continue
			}
			for _, l := range ex.Labels {
				if l.HasScore() {
					sum[l.Profile] += l.Score
					n[l.Profile]++
				}
			}
		}
		var ps []int
		for m := range sum {
			ps = append(ps, m)
		}
		sort.Slice(ps, func(a, b int) bool {
			ma, mb := sum[ps[a]]/n[ps[a]], sum[ps[b]]/n[ps[b]]
			if ma != mb {
				return ma > mb
			}
			return ps[a] < ps[b]
		})
		out[d] = ps
	}
	return out
}

// profileOnly replaces the predictions by a fixed ranking of profiles.
func profileOnly(dp []prediction, ranking []int) []prediction {
	out := make([]prediction, len(dp))
	for i, pr := range dp {
		l := make([]float64, len(pr.logits))
		for m := range l {
			l[m] = -1e9
		}
		for r, m := range ranking {
			l[m] = -float64(r)
		}
		out[i] = prediction{ex: pr.ex, logits: l, logLens: pr.logLens}
	}
	return out
}

// lookup is a table of mean training scores per (dataset[/task], profile).
type lookup map[string]struct{ sum, n float64 }

func lookupKey(ex corpus.Example, m int, task bool) string {
	if task {
		return fmt.Sprintf("%d\x00%s\x00%d", ex.Dataset, ex.Task, m)
	}
	return fmt.Sprintf("%d\x00%d", ex.Dataset, m)
}

func lookupTable(c *corpus.Corpus, train []int, task bool) lookup {
	t := lookup{}
	for _, i := range train {
		ex := c.Examples[i]
		for _, l := range ex.Labels {
			if l.HasScore() {
				e := t[lookupKey(ex, l.Profile, task)]
				e.sum += l.Score
				e.n++
				t[lookupKey(ex, l.Profile, task)] = e
			}
		}
	}
	return t
}

// mean is the Laplace-smoothed mean score of a key (0.5 when unseen).
func (t lookup) mean(k string) float64 {
	e := t[k]
	return (e.sum + 0.5) / (e.n + 1)
}

// lookupPredictions replaces the model's logits by the table's means.
func lookupPredictions(dp []prediction, t lookup, task bool) []prediction {
	out := make([]prediction, len(dp))
	for i, pr := range dp {
		l := make([]float64, len(pr.logits))
		for m := range l {
			l[m] = t.mean(lookupKey(pr.ex, m, task))
		}
		out[i] = prediction{ex: pr.ex, logits: l, logLens: pr.logLens}
	}
	return out
}

func lookupBCE(preds []prediction, t lookup) float64 {
	var p, y []float64
	for _, pr := range preds {
		for _, l := range pr.ex.Labels {
			if l.HasScore() {
				p = append(p, t.mean(lookupKey(pr.ex, l.Profile, false)))
				y = append(y, l.Score)
			}
		}
	}
	return calibrate.BCE(p, y)
}

// routing compares choosers on the prompts' labelled profiles.
func routing(dp []prediction, ranking []int) Routing {
	rank := map[int]int{}
	for r, m := range ranking {
		rank[m] = r
	}
	var r Routing
	n := 0.0
	for _, pr := range dp {
		var cands []int
		score := map[int]float64{}
		for _, l := range pr.ex.Labels {
			if l.HasScore() {
				cands = append(cands, l.Profile)
				score[l.Profile] = l.Score
			}
		}
		if len(cands) == 0 {
			continue
		}
		pick, single, oracle, mean := cands[0], cands[0], math.Inf(-1), 0.0
		for _, m := range cands {
			if pr.logits[m] > pr.logits[pick] {
				pick = m
			}
			if rk, ok := rank[m]; ok {
				if rs, ok2 := rank[single]; !ok2 || rk < rs {
					single = m
				}
			}
			oracle = max(oracle, score[m])
			mean += score[m]
		}
		r.Router += score[pick]
		r.BestSingle += score[single]
		r.Random += mean / float64(len(cands))
		r.Oracle += oracle
		n++
	}
	if n > 0 {
		r = Routing{Router: round4(r.Router / n), BestSingle: round4(r.BestSingle / n), Random: round4(r.Random / n), Oracle: round4(r.Oracle / n)}
	}
	return r
}

func lengthMAE(dp []prediction) (float64, int) {
	s, n := 0.0, 0
	for _, pr := range dp {
		for _, l := range pr.ex.Labels {
			if l.HasLength() {
				s += math.Abs(pr.logLens[l.Profile] - math.Log(l.OutputTokens))
				n++
			}
		}
	}
	if n == 0 {
		return 0, 0
	}
	return s / float64(n), n
}

// bandPrompts builds the band calibration's candidate pools: each
// validation prompt's models with a quality label, priced at the dataset's
// prices for the prompt's input tokens and the model's true output tokens
// (the predicted length where the data has none, as in llmrouter), and at
// the cost the gateway predicts, from the predicted length with lengthLog's
// correction where set (the exported model folds it in), which is what the
// gateway's band rule picks by.
func bandPrompts(preds []prediction, platt calibrate.Platt, lengthLog []float64) []calibrate.Prompt {
	var out []calibrate.Prompt
	for _, pr := range preds {
		var p calibrate.Prompt
		for _, l := range pr.ex.Labels {
			if !l.HasScore() {
				continue
			}
			ll := pr.logLens[l.Profile]
			if lengthLog != nil {
				ll += lengthLog[l.Profile]
			}
			predictedTok := math.Exp(ll)
			outTok := l.OutputTokens
			if !l.HasLength() {
				outTok = predictedTok
			}
			in := l.InputPrice * float64(pr.ex.InputTokens)
			p = append(p, calibrate.Candidate{Predicted: platt.Apply(pr.logits[l.Profile]), Score: l.Score,
				Cost: (in + l.OutputPrice*outTok) / 1e6, PredictedCost: (in + l.OutputPrice*predictedTok) / 1e6})
		}
		if len(p) > 1 {
			out = append(out, p)
		}
	}
	return out
}

// calibratedWeights exports p with the inference offset and Platt scaling
// folded into the quality head, sigmoid(A·(z·QW + QB + off) + B), and the
// mean correction lengthLog (nil: none) into the length head's biases.
func calibratedWeights(p *fit.Params, offset float64, platt calibrate.Platt, lengthLog []float64) *arch.Weights {
	w := p.Weights(0)
	for m, v := range lengthLog {
		w.LB[m] = float32(p.LB[m] + v)
	}
	for i := range w.QW {
		w.QW[i] = float32(platt.A * p.QW[i])
	}
	for m := range w.QB {
		w.QB[m] = float32(platt.A*(p.QB[m]+offset) + platt.B)
	}
	return w
}

// leaveOneOut trains once per quality dataset without it (or copies of its
// prompts in other datasets) and measures the model on all of that
// dataset's prompts, for the profiles that still had labels elsewhere (a
// profile without any label cannot be predicted).
func leaveOneOut(ctx context.Context, cfg fit.Config, members int, c *corpus.Corpus, train []int, log io.Writer) ([]LeaveOneOut, error) {
	var out []LeaveOneOut
	for d, info := range c.Datasets {
		if info.QualityLabels == 0 {
			continue
		}
		var tr, held []int
		texts := map[string]bool{}
		for i, ex := range c.Examples {
			if ex.Dataset == d {
				held = append(held, i)
				texts[sameText(ex.Text)] = true
			}
		}
		// Copies of its prompts in other datasets go too: the retrain
		// must not have seen what it is scored on.
		for _, i := range train {
			if ex := c.Examples[i]; ex.Dataset != d && !texts[sameText(ex.Text)] {
				tr = append(tr, i)
			}
		}
		seen := knownProfiles(c, tr)
		shared := 0
		for _, i := range held {
			for _, l := range c.Examples[i].Labels {
				if l.HasScore() && seen[l.Profile] {
					shared++
				}
			}
		}
		if shared == 0 {
			fmt.Fprintf(log, "leave out %s: skipped, none of its models has labels in another dataset\n", info.Name)
			continue
		}
		p, err := trainOn(ctx, cfg, members, c, tr, "without "+info.Name, log)
		if err != nil {
			return nil, err
		}
		offset := p.MeanOffset(qualityCounts(c, tr))
		dp := predictAll(c, held, p, offset)
		s, y := pairs(dp, calibrate.Platt{A: 1}, seen)
		r := LeaveOneOut{Dataset: info.Name, Prompts: len(held), Pairs: len(s), Epochs: cfg.Epochs}
		if len(s) > 0 {
			// Undefined (no two different scores) reads as chance, as in
			// the leave-one-task-out runs.
			r.AUC = finiteOr(calibrate.AUC(s, y), 0.5)
			r.WithinPromptAUC = finiteOr(withinPromptAUC(dp, seen), 0.5)
			rt := routing(onlyProfiles(dp, seen), bestSingleRanking(c, held)[d])
			r.Router, r.BestSingle = rt.Router, rt.BestSingle
		}
		fmt.Fprintf(log, "leave out %s: AUC %.3f, within-prompt AUC %.3f over %d pairs\n", info.Name, r.AUC, r.WithinPromptAUC, r.Pairs)
		out = append(out, r)
	}
	return out, nil
}

// knownProfiles are the profiles with a quality label among idx: the only
// ones a model trained on idx can predict.
func knownProfiles(c *corpus.Corpus, idx []int) map[int]bool {
	seen := map[int]bool{}
	for _, i := range idx {
		for _, l := range c.Examples[i].Labels {
			if l.HasScore() {
				seen[l.Profile] = true
			}
		}
	}
	return seen
}

// onlyProfiles drops the labels of profiles outside keep, so routing
// chooses among the profiles the model knows.
func onlyProfiles(dp []prediction, keep map[int]bool) []prediction {
	out := make([]prediction, 0, len(dp))
	for _, pr := range dp {
		var ls []corpus.Label
		for _, l := range pr.ex.Labels {
			if keep[l.Profile] {
				ls = append(ls, l)
			}
		}
		pr.ex.Labels = ls
		out = append(out, pr)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}
