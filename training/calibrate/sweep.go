package calibrate

import (
	"errors"
	"math"

	"github.com/modelrouter/modelrouter/router"
)

// Sweep is what every band of a grid does on a set of prompts, kept as
// sums so that sets can be added and subtracted without evaluating their
// prompts again: choosing a band on validation prompts plus all unseen
// tasks but one, for each task in turn, costs one pass over the prompts.
type Sweep struct {
	Grid []float64
	sums []bandSums // one per grid band
}

// bandSums are the totals a BandResult divides: realised scores and costs
// of the best-predicted and of the chosen candidates, over n prompts.
type bandSums struct {
	best, chosen, bestCost, chosenCost float64
	n                                  int
}

// NewSweep applies every band of grid to every prompt with the gateway's
// band rule (router.Pick): q* is the best predicted quality, the candidate
// with q >= (1-b)·q* that is cheapest by predicted cost is chosen, and its
// true score and true cost are counted.
func NewSweep(prompts []Prompt, grid []float64) Sweep {
	s := Sweep{Grid: grid, sums: make([]bandSums, len(grid))}
	var q, cost []float64
	for _, pr := range prompts {
		if len(pr) == 0 {
			continue
		}
		q, cost = q[:0], cost[:0]
		for _, c := range pr {
			q, cost = append(q, c.Predicted), append(cost, c.PredictedCost)
		}
		bi := router.Pick(q, cost, 0)
		for g, b := range grid {
			ci := router.Pick(q, cost, b)
			t := &s.sums[g]
			t.best += pr[bi].Score
			t.chosen += pr[ci].Score
			t.bestCost += pr[bi].Cost
			t.chosenCost += pr[ci].Cost
			t.n++
		}
	}
	return s
}

// Plus returns the sweep of both sets of prompts (same grid).
func (s Sweep) Plus(o Sweep) Sweep { return s.combine(o, 1) }

// Minus returns the sweep of s's prompts without o's, o being a part of s.
func (s Sweep) Minus(o Sweep) Sweep { return s.combine(o, -1) }

func (s Sweep) combine(o Sweep, sign float64) Sweep {
	out := Sweep{Grid: s.Grid, sums: make([]bandSums, len(s.sums))}
	copy(out.sums, s.sums)
	if o.sums == nil {
		return out
	}
	for g := range out.sums {
		out.sums[g].add(o.sums[g], sign)
	}
	return out
}

// add adds sign times u's totals.
func (t *bandSums) add(u bandSums, sign float64) {
	t.best += sign * u.best
	t.chosen += sign * u.chosen
	t.bestCost += sign * u.bestCost
	t.chosenCost += sign * u.chosenCost
	t.n += int(sign) * u.n
}

// result divides the totals into a BandResult for band.
func (t bandSums) result(band float64) BandResult {
	r := BandResult{Band: band}
	if t.n == 0 {
		return r
	}
	if t.best > 0 {
		r.Loss = (t.best - t.chosen) / t.best
	}
	if t.bestCost > 0 {
		r.CostShare = t.chosenCost / t.bestCost
	}
	r.Quality = t.chosen / float64(t.n)
	return r
}

// Prompts is how many prompts the sweep holds.
func (s Sweep) Prompts() int {
	if len(s.sums) == 0 {
		return 0
	}
	return s.sums[0].n
}

// At is what grid band g does on the prompts: the relative quality loss
// against the best-predicted candidate, the cost share and mean quality.
func (s Sweep) At(g int) BandResult { return s.sums[g].result(s.Grid[g]) }

// ChooseOn returns the index of the largest grid band whose relative
// quality loss is at most maxLoss on every sweep holding prompts (a
// larger band never costs more), or 0, the smallest band, when none is.
// Requiring every set keeps a band that validation alone would accept but
// prompts unlike the training data would not.
func ChooseOn(sweeps []Sweep, maxLoss float64) (int, error) {
	if len(sweeps) == 0 || len(sweeps[0].Grid) == 0 {
		return 0, errors.New("calibrate: no sweep or an empty band grid")
	}
	chosen := 0
	for g := 1; g < len(sweeps[0].Grid); g++ {
		ok := true
		for _, s := range sweeps {
			if s.Prompts() == 0 {
				continue
			}
			if l := s.At(g).Loss; l > maxLoss || math.IsNaN(l) {
				ok = false
				break
			}
		}
		if ok {
			chosen = g
		}
	}
	return chosen, nil
}

// Pooled is the result over several sets of prompts, each under its own
// grid band at[i]: what bands chosen without a set do on it, over all the
// sets together. Band is the prompt-weighted mean of the bands used.
func Pooled(sweeps []Sweep, at []int) BandResult {
	var t bandSums
	var bands float64
	for i, s := range sweeps {
		u := s.sums[at[i]]
		t.add(u, 1)
		bands += s.Grid[at[i]] * float64(u.n)
	}
	if t.n == 0 {
		return BandResult{}
	}
	return t.result(bands / float64(t.n))
}
