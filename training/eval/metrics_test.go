package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNDCHKeepsTheUpperNonDecreasingHull(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []Point
		want []Point
	}{
		{"point under a chord is dropped, dearer worse point is cut",
			[]Point{{Cost: 1, Quality: .5}, {Cost: 2, Quality: .55}, {Cost: 3, Quality: .8}, {Cost: 4, Quality: .7}},
			[]Point{{Cost: 1, Quality: .5}, {Cost: 3, Quality: .8}}},
		{"point above the chord stays",
			[]Point{{Cost: 1, Quality: .5}, {Cost: 2, Quality: .75}, {Cost: 3, Quality: .8}},
			[]Point{{Cost: 1, Quality: .5}, {Cost: 2, Quality: .75}, {Cost: 3, Quality: .8}}},
		{"same cost keeps the better point",
			[]Point{{Cost: 1, Quality: .2}, {Cost: 1, Quality: .6}, {Cost: 2, Quality: .7}},
			[]Point{{Cost: 1, Quality: .6}, {Cost: 2, Quality: .7}}},
		{"cheapest is best", []Point{{Cost: 1, Quality: .9}, {Cost: 2, Quality: .7}}, []Point{{Cost: 1, Quality: .9}}},
		{"single point", []Point{{Cost: 3, Quality: .4}}, []Point{{Cost: 3, Quality: .4}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, NDCH(tc.in))
		})
	}
}

func TestAIQ(t *testing.T) {
	// One model at cost 4 on the range [0, 10]: nothing below 4, flat after.
	assert.InDelta(t, 0.6*6/10, AIQ([]Point{{Cost: 4, Quality: 0.6}}, 0, 10), 1e-12)
	// A line from (0, 0) to (10, 1): area 5 over range 10.
	assert.InDelta(t, 0.5, AIQ([]Point{{Cost: 0, Quality: 0}, {Cost: 10, Quality: 1}}, 0, 10), 1e-12)
	// Points under the hull do not count.
	assert.InDelta(t, 0.5, AIQ([]Point{{Cost: 0, Quality: 0}, {Cost: 5, Quality: 0.1}, {Cost: 10, Quality: 1}}, 0, 10), 1e-12)
	// Degenerate range: the best quality.
	assert.InDelta(t, 0.7, AIQ([]Point{{Cost: 1, Quality: 0.7}}, 1, 1), 1e-12)
}

// oracleGain is the true gain of the strong model per row.
func gains(tb *Table) []float64 {
	g := make([]float64, len(tb.Rows))
	for i, r := range tb.Rows {
		g[i] = r.Score[0] - r.Score[1]
	}
	return g
}

func scoresOf(d int, rows [][2]float64) (s, w []float64) {
	for _, r := range rows {
		for range d {
			s, w = append(s, r[0]), append(w, r[1])
		}
	}
	return s, w
}

func TestAPGRAndCPTOfKnownRouters(t *testing.T) {
	// fsw = share where only strong is right, fws where only weak is.
	for _, tc := range []struct {
		name     string
		fsw, fws int // out of 100
	}{
		{"weak never uniquely right", 30, 0},
		{"weak sometimes uniquely right", 30, 10},
		{"weak often uniquely right", 40, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			both := 100 - tc.fsw - tc.fws
			s, w := scoresOf(1, nil)
			for range tc.fsw {
				s, w = append(s, 1), append(w, 0)
			}
			for range tc.fws {
				s, w = append(s, 0), append(w, 1)
			}
			for i := range both {
				v := float64(i % 2) // both right or both wrong
				s, w = append(s, v), append(w, v)
			}
			tb := toyTable(s, w)
			qs, qw := mean(s), mean(w)
			fsw, fws := float64(tc.fsw)/100, float64(tc.fws)/100
			gap := fsw - fws
			require.InDelta(t, gap, qs-qw, 1e-12)

			oracle := ShareCurve(tb, 0, 1, gains(tb))
			// The oracle climbs with slope 1 over the strong-only prompts,
			// stays flat over the ties and falls over the weak-only ones.
			wantArea := fsw*fsw/2 + fsw*(1-fsw-fws) + fws*(fsw+gap)/2
			apgr := APGR(oracle, qw, qs)
			assert.InDelta(t, wantArea/gap, apgr, 1e-9)
			if tc.fws == 0 {
				assert.InDelta(t, 1-gap/2, apgr, 1e-9, "with no weak-only prompts the oracle stays under 1")
				assert.Less(t, apgr, 1.0)
			} else if tc.fws >= 20 {
				assert.Greater(t, apgr, 1.0, "beating the strong model recovers more than the gap")
			}
			// A perfect router reaches x of the gap after x*gap of the calls.
			assert.InDelta(t, 0.5*gap, CPT(oracle, 0.5, qw, qs), 1e-9)
			assert.InDelta(t, 0.8*gap, CPT(oracle, 0.8, qw, qs), 1e-9)

			// Random scores: about 0.5; the expected-value line: exactly.
			rng := rand.New(rand.NewPCG(7, 7))
			var sum float64
			for range 20 {
				rs := make([]float64, len(tb.Rows))
				for i := range rs {
					rs[i] = rng.Float64()
				}
				r := APGR(ShareCurve(tb, 0, 1, rs), qw, qs)
				assert.Less(t, r, apgr, "no threshold router beats the oracle")
				sum += r
			}
			assert.InDelta(t, 0.5, sum/20, 0.1)
			line := []SharePoint{{StrongShare: 0, Quality: qw}, {StrongShare: 1, Quality: qs}}
			assert.InDelta(t, 0.5, APGR(line, qw, qs), 1e-12)
			assert.InDelta(t, 0.5, CPT(line, 0.5, qw, qs), 1e-12)
			assert.InDelta(t, 0.8, CPT(line, 0.8, qw, qs), 1e-12)

			// The inverted oracle is the worst router.
			inv := gains(tb)
			for i := range inv {
				inv[i] = -inv[i]
			}
			assert.Less(t, APGR(ShareCurve(tb, 0, 1, inv), qw, qs), 0.5)
		})
	}
}

func TestShareCurveSpansNoToAllStrongCalls(t *testing.T) {
	tb := toyTable([]float64{1, 0, 1, 1}, []float64{0, 0, 1, 0})
	c := ShareCurve(tb, 0, 1, []float64{0.9, 0.1, 0.5, 0.5})
	require.Len(t, c, 4, "the two prompts scored 0.5 move together")
	assert.Equal(t, 0.0, c[0].StrongShare)
	assert.InDelta(t, 0.25, c[0].Quality, 1e-12)
	assert.InDelta(t, 0.1, c[0].Cost, 1e-12)
	assert.Equal(t, 0.75, c[2].StrongShare)
	assert.Equal(t, 1.0, c[3].StrongShare)
	assert.InDelta(t, 0.75, c[3].Quality, 1e-12)
	assert.InDelta(t, 1.0, c[3].Cost, 1e-12)
	assert.Greater(t, c[0].Threshold, c[1].Threshold)
}

func TestAPGRUndefinedWithoutAGap(t *testing.T) {
	tb := toyTable([]float64{1, 0}, []float64{0, 1})
	assert.True(t, math.IsNaN(APGR(ShareCurve(tb, 0, 1, []float64{1, 0}), 0.5, 0.5)))
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func TestThinKeepsEndsAndOrder(t *testing.T) {
	var c []SharePoint
	for i := range 1001 {
		c = append(c, SharePoint{StrongShare: float64(i) / 1000})
	}
	th := thin(c, 200)
	require.Len(t, th, 201)
	assert.Equal(t, 0.0, th[0].StrongShare)
	assert.Equal(t, 1.0, th[200].StrongShare)
	for i := 1; i < len(th); i++ {
		assert.Greater(t, th[i].StrongShare, th[i-1].StrongShare)
	}
	assert.Len(t, thin(c[:10], 200), 10)
}
