package eval

import "fmt"

// VsBestSingle sets a router's quality-cost curve against the best single
// candidate (the highest mean true quality; the cheaper on a tie), in the
// terms of the aim for multi-model pools: does some threshold match that
// model's quality, at what share of its cost, and what does the router
// reach for half its cost. Only the curve's own points count (no mixing of
// two thresholds, which the AIQ hull allows).
type VsBestSingle struct {
	Model   string  `json:"model"`
	Quality float64 `json:"quality"`
	Cost    float64 `json:"cost"`
	// CostShareToMatch is the cost of the cheapest curve point with at
	// least Quality over Cost; null when no point reaches Quality. When
	// Cost is 0, a point reaching Quality at no cost matches at share 1
	// (0/0 read as "the same cost"), and one that costs more is no match
	// (its share would be infinite).
	CostShareToMatch *float64 `json:"cost_share_to_match"`
	// QualityAtHalfCost is the best quality of a curve point costing at
	// most Cost/2; null when every point costs more.
	QualityAtHalfCost *float64 `json:"quality_at_half_cost"`
}

// qualityTolerance absorbs float noise in mean qualities computed over the
// same rows in another order.
const qualityTolerance = 1e-12

// bestSingle returns the index of the best single candidate given each
// candidate's one-point curve.
func bestSingle(singles []Point) int {
	best := 0
	for j, p := range singles {
		b := singles[best]
		if p.Quality > b.Quality+qualityTolerance || (p.Quality > b.Quality-qualityTolerance && p.Cost < b.Cost) {
			best = j
		}
	}
	return best
}

// vsBestSingle compares curve with the single candidate at the given point.
func vsBestSingle(curve []Point, name string, single Point) *VsBestSingle {
	v := &VsBestSingle{Model: name, Quality: single.Quality, Cost: single.Cost}
	for _, p := range curve {
		if share, ok := costShare(p.Cost, single.Cost); ok && p.Quality >= single.Quality-qualityTolerance {
			if v.CostShareToMatch == nil || share < *v.CostShareToMatch {
				v.CostShareToMatch = &share
			}
		}
		if p.Cost <= single.Cost/2 {
			if q := p.Quality; v.QualityAtHalfCost == nil || q > *v.QualityAtHalfCost {
				v.QualityAtHalfCost = &q
			}
		}
	}
	return v
}

// costShare is cost over the single model's cost. A free single model (a
// self-hosted one priced at 0) is matched only at no cost, as the same
// cost: share 1; any cost above nothing has no finite share.
func costShare(cost, singleCost float64) (float64, bool) {
	if singleCost > 0 {
		return cost / singleCost, true
	}
	if cost <= 0 {
		return 1, true
	}
	return 0, false
}

// vsBestSingleLine says, in one line, how the curve of the router or
// baseline named name compares with the best single candidate ("" when
// the result has no comparison).
func vsBestSingleLine(name string, v *VsBestSingle) string {
	if v == nil {
		return ""
	}
	match := "never matches it"
	if v.CostShareToMatch != nil {
		match = fmt.Sprintf("matches it at %.0f%% of its cost", 100**v.CostShareToMatch)
	}
	half := "nothing costs half as much"
	if v.QualityAtHalfCost != nil {
		half = fmt.Sprintf("reaches %.3f at half its cost", *v.QualityAtHalfCost)
	}
	return fmt.Sprintf("%s vs best single (%s, %.3f at $%.4f per 1k prompts): %s, %s", name, v.Model, v.Quality, 1000*v.Cost, match, half)
}

// vsBestSingleLines are the lines of the router, knn, fitted profiles
// (when run) and the oracle.
func (r *Report) vsBestSingleLines() []string {
	var out []string
	if l := vsBestSingleLine("router", r.Router.VsBestSingle); l != "" {
		out = append(out, l)
	}
	for _, k := range perPrompt {
		if l := vsBestSingleLine(k, r.Baselines[k].VsBestSingle); l != "" {
			out = append(out, l)
		}
	}
	return out
}
