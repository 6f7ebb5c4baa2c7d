package pipeline

import (
	"fmt"
	"math"

	"github.com/modelrouter/modelrouter/training/corpus"
)

// The length head is fitted to log output tokens, so exp of its output is
// a typical (median-like) answer length, not the mean one, and answer
// lengths are skewed: a model that now and then writes ten times its usual
// length costs, on average, well above exp(mean log). The router prices a
// call with the predicted length, so the exported head adds, per profile,
// the log of its validation answers' true tokens summed over its predicted
// tokens summed: a ratio estimate that makes the predicted tokens, and so
// the expected cost, right on average.

// minLengthLabels is the fewest validation lengths a profile needs for
// its own correction; profiles with fewer (or none, as in llmrouter) get
// the correction pooled over all profiles.
const minLengthLabels = 30

// LengthCorrection records the correction and what it does on validation.
type LengthCorrection struct {
	// Pooled is the log factor of profiles with fewer than MinLabels
	// validation lengths; PerProfile holds the others'.
	Pooled     float64            `json:"pooled_log"`
	MinLabels  int                `json:"min_labels"`
	PerProfile map[string]float64 `json:"per_profile_log"`
	// MeanRatio is, per dataset, the validation answers' summed predicted
	// tokens over their summed true tokens without the correction;
	// MeanRatioCorrected with it, fitted on one half of the validation
	// prompts and measured on the other, both ways (not in-sample).
	MeanRatio          map[string]float64 `json:"mean_ratio"`
	MeanRatioCorrected map[string]float64 `json:"mean_ratio_corrected_cross_fit"`
}

// fitLengthCorrection returns each profile's log correction from the
// predictions accepted by keep (nil: all): log(sum of true tokens / sum of
// predicted tokens) over its answers, or the pooled value where it has
// fewer than minLengthLabels of them (0 where there are no lengths), and
// how many answers each profile had.
func fitLengthCorrection(preds []prediction, profiles int, keep func(k int) bool) (perProfile []float64, pooled float64, n []int) {
	truth, pred := make([]float64, profiles), make([]float64, profiles)
	n = make([]int, profiles)
	allTruth, allPred := 0.0, 0.0
	for k, pr := range preds {
		if keep != nil && !keep(k) {
			continue
		}
		for _, l := range pr.ex.Labels {
			if l.HasLength() {
				p := math.Exp(pr.logLens[l.Profile])
				truth[l.Profile] += l.OutputTokens
				pred[l.Profile] += p
				n[l.Profile]++
				allTruth += l.OutputTokens
				allPred += p
			}
		}
	}
	if allPred > 0 {
		pooled = math.Log(allTruth / allPred)
	}
	out := make([]float64, profiles)
	for m := range out {
		out[m] = pooled
		if n[m] >= minLengthLabels {
			out[m] = math.Log(truth[m] / pred[m])
		}
	}
	return out, pooled, n
}

// lengthCorrection fits the correction on all validation predictions and
// measures the mean ratios per dataset (the corrected one cross-fitted on
// alternate prompts).
func lengthCorrection(c *corpus.Corpus, preds []prediction) ([]float64, LengthCorrection) {
	M := len(c.Profiles)
	corr, pooled, counts := fitLengthCorrection(preds, M, nil)
	// halves[h] is fitted on the prompts of the other parity.
	var halves [2][]float64
	halves[0], _, _ = fitLengthCorrection(preds, M, func(k int) bool { return k%2 == 1 })
	halves[1], _, _ = fitLengthCorrection(preds, M, func(k int) bool { return k%2 == 0 })
	info := LengthCorrection{Pooled: round4(pooled), MinLabels: minLengthLabels,
		PerProfile: map[string]float64{}, MeanRatio: map[string]float64{}, MeanRatioCorrected: map[string]float64{}}
	type sums struct{ pred, predCorr, truth float64 }
	byDataset := map[int]*sums{}
	for k, pr := range preds {
		for _, l := range pr.ex.Labels {
			if !l.HasLength() {
				continue
			}
			s := byDataset[pr.ex.Dataset]
			if s == nil {
				s = &sums{}
				byDataset[pr.ex.Dataset] = s
			}
			raw := pr.logLens[l.Profile]
			s.pred += math.Exp(raw)
			s.predCorr += math.Exp(raw + halves[k%2][l.Profile])
			s.truth += l.OutputTokens
		}
	}
	for d, s := range byDataset {
		name := c.Datasets[d].Name
		info.MeanRatio[name] = round4(s.pred / s.truth)
		info.MeanRatioCorrected[name] = round4(s.predCorr / s.truth)
	}
	for m, v := range corr {
		if counts[m] >= minLengthLabels {
			info.PerProfile[c.Profiles[m]] = round4(v)
		}
	}
	return corr, info
}

// lengthCorrectionLine is PROVENANCE.md's account of the correction.
func lengthCorrectionLine(lc *LengthCorrection) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range lc.PerProfile {
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(lc.PerProfile) == 0 {
		lo, hi = lc.Pooled, lc.Pooled
	}
	return fmt.Sprintf("- Answer lengths: the length head predicts log tokens, a median-like length; each profile's output is scaled so that its validation answers' predicted tokens sum to their true tokens (x %.2f to x %.2f for the %d profiles with at least %d validation lengths, x %.2f pooled for the others), which the expected cost needs. Predicted / true tokens on validation before: %s; after (fitted on one half, measured on the other): %s.\n\n",
		math.Exp(lo), math.Exp(hi), len(lc.PerProfile), lc.MinLabels, math.Exp(lc.Pooled), fmtMap(lc.MeanRatio), fmtMap(lc.MeanRatioCorrected))
}
