package eval

import (
	"fmt"
	"math"
	"sort"
)

// Point is one operating point of a router: the mean true quality and mean
// cost per prompt it reaches at one setting of its threshold.
type Point struct {
	Threshold float64 `json:"threshold"`
	Quality   float64 `json:"quality"`
	Cost      float64 `json:"cost"`
}

// Outcome summarises a router's choices on a table.
type Outcome struct {
	Quality float64            `json:"quality"`
	Cost    float64            `json:"cost"`
	Share   map[string]float64 `json:"share"`
}

// outcome scores one choice per row with the true score and cost.
func outcome(t *Table, choice []int) Outcome {
	o := Outcome{Share: map[string]float64{}}
	n := float64(len(t.Rows))
	counts := make([]float64, len(t.Candidates))
	for i, r := range t.Rows {
		c := choice[i]
		o.Quality += r.Score[c]
		o.Cost += r.Cost[c]
		counts[c]++
	}
	o.Quality /= n
	o.Cost /= n
	for j, c := range t.Candidates {
		o.Share[c.Name] = counts[j] / n
	}
	return o
}

// NDCH is RouterBench's non-decreasing convex hull of a router's
// quality-cost points: the upper concave envelope from the cheapest point
// up to the cheapest point of highest quality. Mixing two operating points
// at random reaches every point on the segment between them, so the hull is
// what the router can achieve; beyond its last point it stays flat.
func NDCH(points []Point) []Point {
	if len(points) == 0 {
		return nil
	}
	ps := append([]Point(nil), points...)
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Cost != ps[j].Cost {
			return ps[i].Cost < ps[j].Cost
		}
		return ps[i].Quality > ps[j].Quality
	})
	// Upper hull by the monotone chain: drop a point while it lies on or
	// under the segment from its predecessor to the new point.
	var hull []Point
	for i, p := range ps {
		if i > 0 && p.Cost == ps[i-1].Cost {
			continue // same cost, lower quality
		}
		for len(hull) >= 2 {
			a, b := hull[len(hull)-2], hull[len(hull)-1]
			if (b.Cost-a.Cost)*(p.Quality-a.Quality)-(b.Quality-a.Quality)*(p.Cost-a.Cost) >= 0 {
				hull = hull[:len(hull)-1]
				continue
			}
			break
		}
		hull = append(hull, p)
	}
	best := 0
	for i, p := range hull {
		if p.Quality > hull[best].Quality {
			best = i
		}
	}
	return hull[:best+1]
}

// AIQ is RouterBench's Average Improvement in Quality (Hu et al., 2024,
// "RouterBench: A Benchmark for Multi-LLM Routing System", arXiv:2403.12031,
// sec. 3.2): the area under the router's non-decreasing convex hull over a
// cost range shared by the routers being compared, divided by that range,
// AIQ = 1/(cmax-cmin) * integral from cmin to cmax of R~(c) dc.
// As in the paper's code (withmartian/routerbench evaluation/AIQ.py) the
// hull stays flat after its last point and adds nothing below its first;
// that code divides by cmax (a range from 0), which AIQ(points, 0, cmax)
// gives (Result.AIQFromZero).
func AIQ(points []Point, cmin, cmax float64) float64 {
	h := NDCH(points)
	if len(h) == 0 {
		return 0
	}
	if cmax <= cmin {
		return h[len(h)-1].Quality
	}
	h = append(h, Point{Cost: math.Max(cmax, h[len(h)-1].Cost), Quality: h[len(h)-1].Quality})
	area := 0.0
	for i := 1; i < len(h); i++ {
		a, b := h[i-1], h[i]
		lo, hi := math.Max(a.Cost, cmin), math.Min(b.Cost, cmax)
		if hi <= lo {
			continue
		}
		qa, qb := interp(a, b, lo), interp(a, b, hi)
		area += (hi - lo) * (qa + qb) / 2
	}
	return area / (cmax - cmin)
}

func interp(a, b Point, c float64) float64 {
	if b.Cost == a.Cost {
		return b.Quality
	}
	return a.Quality + (b.Quality-a.Quality)*(c-a.Cost)/(b.Cost-a.Cost)
}

// SharePoint is one operating point of a two-model router: the share of
// calls to the strong model and the mean true quality and cost it gives.
type SharePoint struct {
	Threshold   float64 `json:"threshold"`
	StrongShare float64 `json:"strong_share"`
	Quality     float64 `json:"quality"`
	Cost        float64 `json:"cost"`
}

// ShareCurve sweeps a threshold over per-prompt scores (higher: more
// reason to call the strong model) and returns every distinct operating
// point from no call to the strong model to all calls, as RouteLLM's
// threshold routers do. Prompts with equal scores move together; between
// two points the curve is linear, which is what breaking the tie at random
// gives in expectation.
func ShareCurve(t *Table, strong, weak int, score []float64) []SharePoint {
	n := len(t.Rows)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	for i, v := range score {
		if math.IsNaN(v) {
			// score == NaN is never true: the tie loop below would not advance.
			panic(fmt.Sprintf("eval: ShareCurve: NaN score for row %d", i))
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return score[order[a]] > score[order[b]] })
	q, c := 0.0, 0.0
	for _, r := range t.Rows {
		q += r.Score[weak]
		c += r.Cost[weak]
	}
	fn := float64(n)
	out := []SharePoint{{Threshold: math.Inf(1), Quality: q / fn, Cost: c / fn}}
	for k := 0; k < n; {
		s := score[order[k]]
		for ; k < n && score[order[k]] == s; k++ {
			r := t.Rows[order[k]]
			q += r.Score[strong] - r.Score[weak]
			c += r.Cost[strong] - r.Cost[weak]
		}
		out = append(out, SharePoint{Threshold: s, StrongShare: float64(k) / fn, Quality: q / fn, Cost: c / fn})
	}
	out[0].Threshold = out[1].Threshold + 1 // JSON has no +Inf; any value above the highest score
	return out
}

// APGR is RouteLLM's average performance gap recovered (Ong et al., 2024,
// "RouteLLM: Learning to Route LLMs with Preference Data", arXiv:2406.18665,
// sec. 5; lm-sys/RouteLLM routellm/evals/evaluate.py): the area under the
// quality vs share-of-strong-calls curve, less the weak model's, over the
// gap between the strong and the weak model's areas, on the share range the
// curve covers (0 to 1 for a full threshold sweep). Random routing scores
// 0.5. It can exceed 1 when routing beats the strong model (prompts only
// the weak model gets right) and an oracle need not reach 1: its curve
// climbs from the weak model's quality, so when the weak model is never
// uniquely right the oracle scores 1 - gap/2. NaN when the gap is 0.
func APGR(curve []SharePoint, weakQuality, strongQuality float64) float64 {
	ps := sortedByShare(curve)
	if len(ps) < 2 || strongQuality == weakQuality {
		return math.NaN()
	}
	area := 0.0
	for i := 1; i < len(ps); i++ {
		area += (ps[i].StrongShare - ps[i-1].StrongShare) * (ps[i].Quality + ps[i-1].Quality) / 2
	}
	span := ps[len(ps)-1].StrongShare - ps[0].StrongShare
	if span == 0 {
		return math.NaN()
	}
	return (area - weakQuality*span) / ((strongQuality - weakQuality) * span)
}

// CPT is RouteLLM's call-performance threshold: the smallest share of calls
// to the strong model at which the curve reaches the weak model's quality
// plus the fraction x of the gap to the strong model (linear between curve
// points). NaN when the curve never gets there, and, like APGR, when the
// gap is 0: x of no gap is reached by any share, so 0 would read as "no
// strong calls needed" rather than "undefined".
func CPT(curve []SharePoint, x, weakQuality, strongQuality float64) float64 {
	if strongQuality == weakQuality {
		return math.NaN()
	}
	ps := sortedByShare(curve)
	target := weakQuality + x*(strongQuality-weakQuality)
	const eps = 1e-12
	for i, p := range ps {
		if p.Quality+eps < target {
			continue
		}
		if i == 0 {
			return p.StrongShare
		}
		a := ps[i-1]
		return a.StrongShare + (p.StrongShare-a.StrongShare)*(target-a.Quality)/(p.Quality-a.Quality)
	}
	return math.NaN()
}

func sortedByShare(curve []SharePoint) []SharePoint {
	ps := append([]SharePoint(nil), curve...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].StrongShare < ps[j].StrongShare })
	return ps
}
