// Package calibrate turns validation predictions into trustworthy numbers:
// Platt scaling of the quality logits (folded into the exported weights),
// expected calibration error, AUC, and the Balanced and Cost mode bands.
package calibrate

import (
	"errors"
	"math"
	"slices"
	"sort"
)

// Platt is p = sigmoid(A·logit + B).
type Platt struct{ A, B float64 }

// Apply maps a logit to a calibrated probability.
func (p Platt) Apply(logit float64) float64 { return sigmoid(p.A*logit + p.B) }

// FitPlatt finds A and B minimising the cross-entropy of sigmoid(A·l+B)
// against soft labels y, by Newton's method on the two parameters with a
// backtracking line search (overconfident logits make plain Newton
// overshoot) and a tiny ridge so separable data cannot run off.
func FitPlatt(logits, y []float64) (Platt, error) {
	if len(logits) != len(y) || len(logits) == 0 {
		return Platt{}, errors.New("calibrate: need as many labels as logits, at least one")
	}
	const ridge = 1e-6
	objective := func(a, b float64) float64 {
		s := 0.0
		for i, l := range logits {
			z := a*l + b
			s += softplus(z) - y[i]*z
		}
		return s + ridge/2*((a-1)*(a-1)+b*b)
	}
	a, b := 1.0, 0.0
	cur := objective(a, b)
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i, l := range logits {
			p := sigmoid(a*l + b)
			d := p - y[i]
			w := p * (1 - p)
			ga += d * l
			gb += d
			haa += w * l * l
			hab += w * l
			hbb += w
		}
		ga += ridge * (a - 1)
		gb += ridge * b
		haa += ridge
		hbb += ridge
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da := (hbb*ga - hab*gb) / det
		db := (haa*gb - hab*ga) / det
		step, improved := 1.0, false
		for range 40 {
			na, nb := a-step*da, b-step*db
			if next := objective(na, nb); next <= cur {
				a, b, cur, improved = na, nb, next, true
				break
			}
			step /= 2
		}
		if !improved || (math.Abs(step*da) < 1e-10 && math.Abs(step*db) < 1e-10) {
			break
		}
	}
	if math.IsNaN(a) || math.IsNaN(b) {
		return Platt{}, errors.New("calibrate: Platt scaling did not converge")
	}
	return Platt{A: a, B: b}, nil
}

func softplus(z float64) float64 {
	if z > 30 {
		return z
	}
	if z < -30 {
		return math.Exp(z)
	}
	return math.Log1p(math.Exp(z))
}

// ECE is the expected calibration error over bins equal-width bins of the
// predicted probability: the share-weighted mean |mean(p) - mean(y)|.
// Soft labels count by their value.
func ECE(p, y []float64, bins int) float64 {
	if len(p) == 0 || bins <= 0 {
		return 0
	}
	sp, sy, n := make([]float64, bins), make([]float64, bins), make([]float64, bins)
	for i, pi := range p {
		b := min(int(pi*float64(bins)), bins-1)
		b = max(b, 0)
		sp[b] += pi
		sy[b] += y[i]
		n[b]++
	}
	e := 0.0
	for b := range bins {
		if n[b] > 0 {
			e += math.Abs(sp[b]-sy[b]) / float64(len(p))
		}
	}
	return e
}

// AUC is the probability that a random positive scores above a random
// negative (ties count half). Labels >= 0.5 are positives. It is NaN when
// either class is missing, or a score is NaN (a model whose training
// diverged), which ranks nowhere and would never end a run of ties.
func AUC(score, y []float64) float64 {
	if slices.ContainsFunc(score, math.IsNaN) {
		return math.NaN()
	}
	idx := make([]int, len(score))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return score[idx[a]] < score[idx[b]] })
	var pos, neg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && score[idx[j]] == score[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks are 1-based
		for k := i; k < j; k++ {
			if y[idx[k]] >= 0.5 {
				pos++
				rankSum += avg
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// BCE is the mean cross-entropy of probabilities p against soft labels y.
func BCE(p, y []float64) float64 {
	if len(p) == 0 {
		return 0
	}
	s := 0.0
	for i, pi := range p {
		pi = min(max(pi, 1e-7), 1-1e-7)
		s -= y[i]*math.Log(pi) + (1-y[i])*math.Log(1-pi)
	}
	return s / float64(len(p))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
