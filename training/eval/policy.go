package eval

import "github.com/modelrouter/modelrouter/router"

// Estimates are one router's per-prompt, per-candidate predictions
// (indexed [row][candidate] like the Table) of quality and cost in USD.
type Estimates struct {
	Quality [][]float64
	Cost    [][]float64
}

// choices applies the gateway's mode policy (router.Pick) with one band
// to every row, without building a Decision per prompt and band.
func (e Estimates) choices(band float64) []int {
	out := make([]int, len(e.Quality))
	for i := range e.Quality {
		out[i] = router.Pick(e.Quality[i], e.Cost[i], band)
	}
	return out
}
