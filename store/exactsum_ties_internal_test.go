package store

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// An exact sum rounds as math/big does where it is hardest: totals that
// fall on or next to half a unit in the last place, with partials far
// apart in magnitude (1e-16 + 1 + 1e16 rounds up), and numbers that
// cancel; whole and merged in pairs.
func TestExactSumRoundsTiesAndCancellationsAsMathBig(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	exactOf := func(xs []float64) float64 {
		e := new(big.Float).SetPrec(5000)
		for _, x := range xs {
			e.Add(e, new(big.Float).SetFloat64(x))
		}
		f, _ := e.Float64()
		return f
	}
	cases := [][]float64{
		{1e-16, 1, 1e16},
		{1, 1e100, 1, -1e100},
		{math.Nextafter(1, 2), -1, 1e-300},
		{1 << 53, 1, 1e-30},
		{1 << 53, 1, -1e-30},
		{1 << 53, -1, 1e-30},
		{math.SmallestNonzeroFloat64, 1, -1},
		{0.1, 0.2, -0.3},
	}
	for range 20000 {
		n := 1 + r.IntN(8)
		xs := make([]float64, n)
		for i := range xs {
			m := r.Float64()
			if r.IntN(3) == 0 {
				m = 1 + float64(r.IntN(4))*math.Pow(2, -52)
			}
			xs[i] = math.Ldexp(m, r.IntN(140)-70)
			if r.IntN(2) == 0 {
				xs[i] = -xs[i]
			}
		}
		cases = append(cases, xs)
	}
	for _, xs := range cases {
		var s, m, part exactSum
		for i, x := range xs {
			s.add(x)
			part.add(x)
			if i%2 == 1 {
				m.merge(part)
				part = exactSum{}
			}
		}
		m.merge(part)
		want := exactOf(xs)
		if got := s.value(); got != want {
			t.Fatalf("%v: got %v want %v", xs, got, want)
		}
		if got := m.value(); got != want {
			t.Fatalf("merged %v: got %v want %v", xs, got, want)
		}
	}
}
