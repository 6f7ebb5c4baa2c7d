package fit

import "math"

// initBiases starts the length biases at each profile's mean log length
// and the quality biases and dataset offsets where the labels' base rates
// put them, so early steps learn prompts rather than base rates.
//
// Scores of different datasets are on different scales, and most profiles
// are labelled in one dataset only, so a profile's mean score says how it
// did against that dataset's prompts, not against the other profiles. The
// quality start is therefore the additive fit logit(mean score of profile
// m on dataset d) ≈ QB[m] + Off[d] (weighted by label counts): a profile
// labelled only on maths starts at a level comparable with one labelled
// only on MMLU-Pro, through the profiles labelled on both. Training is
// short (3 epochs), so the start matters: from raw per-profile means with
// zero offsets (raw, the earlier start), a profile hidden from MMLU-Pro
// was predicted there 0.18 below its true mean, and GPT-4-turbo (maths
// only) fell below Mixtral (MMLU-Pro only) on RouterBench.
func initBiases(p *Params, samples []Sample, raw bool) {
	M, D := p.Spec.Profiles, len(p.Off)
	sum, n := make([]float64, M*D), make([]float64, M*D)
	ls, ln := make([]float64, M), make([]float64, M)
	for _, s := range samples {
		for _, t := range s.Targets {
			if !math.IsNaN(t.Score) {
				sum[t.Profile*D+s.Dataset] += t.Score
				n[t.Profile*D+s.Dataset]++
			}
			if !math.IsNaN(t.LogLen) {
				ls[t.Profile] += t.LogLen
				ln[t.Profile]++
			}
		}
	}
	initLengthBiases(p, ls, ln)
	if raw {
		for m := range M {
			s, c := 0.0, 0.0
			for d := range D {
				s, c = s+sum[m*D+d], c+n[m*D+d]
			}
			if c > 0 {
				p.QB[m] = clampedLogit(s / c)
			}
		}
		return
	}
	logit := make([]float64, M*D)
	for i := range logit {
		if n[i] > 0 {
			logit[i] = clampedLogit(sum[i] / n[i])
		}
	}
	fitAdditive(logit, n, M, D, p.QB, p.Off)
}

func initLengthBiases(p *Params, ls, ln []float64) {
	allL, allN := 0.0, 0.0
	for m := range ls {
		allL += ls[m]
		allN += ln[m]
	}
	for m := range ls {
		switch {
		case ln[m] > 0:
			p.LB[m] = ls[m] / ln[m]
		case allN > 0:
			p.LB[m] = allL / allN
		}
	}
}

// clampedLogit is the logit of a mean score kept inside [0.02, 0.98].
func clampedLogit(mean float64) float64 {
	mean = min(max(mean, 0.02), 0.98)
	return math.Log(mean / (1 - mean))
}

// additiveSweeps bounds the alternating fit. Each sweep is cheap (profiles
// x datasets cells), and alternating least squares on a connected
// profile/dataset graph converges geometrically, so a generous fixed
// count keeps the start deterministic without a stopping rule.
const additiveSweeps = 200

// fitAdditive fits y[m*D+d] ≈ b[m] + off[d] by least squares weighted by
// w (zero weight: no observation), alternating between the two, and keeps
// off's w-weighted mean at zero (inference adds that mean) by moving b.
// Profiles without observations keep their b; datasets without any keep
// off 0.
func fitAdditive(y, w []float64, M, D int, b, off []float64) {
	dw, observed := make([]float64, D), make([]bool, M)
	total := 0.0
	for d := range D {
		for m := range M {
			dw[d] += w[m*D+d]
			observed[m] = observed[m] || w[m*D+d] > 0
		}
		total += dw[d]
	}
	if total == 0 {
		return
	}
	for range additiveSweeps {
		for m := range M {
			s, c := 0.0, 0.0
			for d := range D {
				if w[m*D+d] > 0 {
					s += w[m*D+d] * (y[m*D+d] - off[d])
					c += w[m*D+d]
				}
			}
			if c > 0 {
				b[m] = s / c
			}
		}
		mean := 0.0
		for d := range D {
			if dw[d] == 0 {
				continue
			}
			s := 0.0
			for m := range M {
				if w[m*D+d] > 0 {
					s += w[m*D+d] * (y[m*D+d] - b[m])
				}
			}
			off[d] = s / dw[d]
			mean += dw[d] * off[d]
		}
		mean /= total
		for d := range D {
			if dw[d] > 0 {
				off[d] -= mean
			}
		}
		for m := range M {
			if observed[m] {
				b[m] += mean
			}
		}
	}
}
