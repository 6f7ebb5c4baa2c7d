package store

import (
	"encoding/json"
	"math"
)

// exactSum adds float64s without rounding: it keeps the running total as
// a few float64s that do not overlap (Shewchuk's partials, as Python's
// math.fsum), whose sum is exact, and rounds once when read. The value is
// therefore the same whatever the order the numbers came in or however
// they were split and merged, which is what lets a report add per-day
// totals and still give, to the last bit, what adding each row gives.
type exactSum struct{ partials []float64 }

func (s *exactSum) add(x float64) {
	i := 0
	for _, y := range s.partials {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			s.partials[i] = lo
			i++
		}
		x = hi
	}
	s.partials = append(s.partials[:i], x)
}

// merge adds o's exact total.
func (s *exactSum) merge(o exactSum) {
	for _, p := range o.partials {
		s.add(p)
	}
}

// value is the exact total rounded to the nearest float64 (half to even),
// as math.fsum rounds it.
func (s exactSum) value() float64 {
	p := s.partials
	n := len(p)
	if n == 0 {
		return 0
	}
	n--
	hi, lo := p[n], 0.0
	for n > 0 {
		x := hi
		n--
		y := p[n]
		hi = x + y
		lo = y - (hi - x)
		if lo != 0 {
			break
		}
	}
	// hi+lo is the total of the partials above n; those below cannot
	// change hi unless lo is exactly half an ulp and they push the same
	// way: then hi rounds away from zero.
	if n > 0 && ((lo < 0 && p[n-1] < 0) || (lo > 0 && p[n-1] > 0)) {
		y := lo * 2
		x := hi + y
		if x-hi == y {
			hi = x
		}
	}
	return hi
}

// MarshalJSON writes the partials, which encoding/json writes exactly
// (shortest form that reads back to the same float64).
func (s exactSum) MarshalJSON() ([]byte, error) {
	if s.partials == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(s.partials)
}

func (s *exactSum) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &s.partials) }
