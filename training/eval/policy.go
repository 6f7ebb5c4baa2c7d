package eval

// choose is the router's mode policy (router.rank's first place) on one
// prompt: among candidates whose predicted quality is at least (1-band)
// times the best, the cheapest by predicted cost; higher quality breaks a
// cost tie, then candidate order. Band 0 is the quality mode. A test holds
// it to router.Router.Decide, so the evaluation measures the shipped policy
// without building a Decision (with reasons) per prompt and band.
func choose(quality, cost []float64, band float64) int {
	best := 0.0
	for _, q := range quality {
		best = max(best, q)
	}
	threshold := (1 - band) * best
	pick := -1
	for i, q := range quality {
		if q < threshold {
			continue
		}
		if pick < 0 || cost[i] < cost[pick] || (cost[i] == cost[pick] && q > quality[pick]) {
			pick = i
		}
	}
	return pick
}

// Estimates are one router's per-prompt, per-candidate predictions
// (indexed [row][candidate] like the Table) of quality and cost in USD.
type Estimates struct {
	Quality [][]float64
	Cost    [][]float64
}

// choices applies the policy with one band to every row.
func (e Estimates) choices(band float64) []int {
	out := make([]int, len(e.Quality))
	for i := range e.Quality {
		out[i] = choose(e.Quality[i], e.Cost[i], band)
	}
	return out
}
