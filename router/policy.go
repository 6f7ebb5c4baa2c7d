package router

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// ExpectedCost is the expected USD cost of answering with m: input tokens at
// the input price, predicted answer plus hidden reasoning tokens at the
// output price.
func ExpectedCost(m Model, inputTokens int, outputTokens float64) float64 {
	return ExpectedCostWithin(m, inputTokens, outputTokens, 0)
}

// ExpectedCostWithin is ExpectedCost for a request that limits its output
// to maxOutput tokens (0: no limit): the provider stops there, hidden
// reasoning included (max_completion_tokens counts both), so a model
// predicted to write long answers costs no more than the limit allows.
func ExpectedCostWithin(m Model, inputTokens int, outputTokens float64, maxOutput int) float64 {
	return expectedCost(m, Needs{InputTokens: inputTokens, MaxOutputTokens: maxOutput}, outputTokens)
}

// expectedCost is the expected cost of answering a call with needs n with
// m: the prompt once, and each answer the call asks for (n.Answers), which
// the provider bills with its hidden reasoning at the effort the call asks
// of m (Needs.ReasoningTokens), within the output limit m is sent: the
// client's, or the default max_tokens a translation sends without one
// (Claude from Chat Completions or Responses), where Claude stops as it
// stops at a client's. It is priced at the service tier m is served at
// (ServedTier: the standard one for a prompt longer than the tier
// serves), and a prompt past m's long-context threshold prices the whole
// call at those prices, as the provider bills it.
func expectedCost(m Model, n Needs, outputTokens float64) float64 {
	out := outputTokens + n.ReasoningTokens(m)
	if limit, _ := n.OutputLimit(m.ID); limit > 0 {
		out = min(out, float64(limit))
	}
	in := n.PromptFor(m)
	if t := n.ServedTier(m); t != "" {
		m = m.PricedAtTier(t)
	}
	m = m.PricedFor(in)
	return (float64(in)*m.InputPerMTok + float64(max(n.Answers, 1))*out*m.OutputPerMTok) / 1e6
}

// PromptFor is the prompt tokens m is sent and billed for: the whole
// prompt, or what m keeps of it where its provider cuts the prompt to fit
// (Truncates). The expected cost, the capacity charge and the estimate
// that stands in for an unreported usage all count this much.
func (n Needs) PromptFor(m Model) int {
	if !n.Truncates[m.ID] {
		return n.InputTokens
	}
	limit, _ := n.OutputLimit(m.ID)
	return keptInput(m, n.InputTokens, limit)
}

// keptInput is how much of a prompt of in tokens a model that cuts it to
// fit (Needs.Truncates) keeps: its input limit, and room in its window
// for the output limit it is sent.
func keptInput(m Model, in, outLimit int) int {
	if m.MaxInput > 0 {
		in = min(in, m.MaxInput)
	}
	if m.ContextWindow > 0 {
		in = min(in, max(m.ContextWindow-outLimit, 0))
	}
	return in
}

// Band returns the quality band of a mode: the fraction of q* a candidate
// may lose and still be picked.
func (b Bands) Band(mode Mode) float64 {
	switch mode {
	case ModeBalanced:
		return b.Balanced
	case ModeCost:
		return b.Cost
	}
	return 0
}

// scored is an eligible candidate with its numbers, as the policy sees it.
type scored struct {
	idx     int // index into Decision.Candidates
	quality float64
	cost    float64
}

// rank orders eligible candidates for a mode and returns q*, the threshold
// and the order (chosen first, then failover order). Quality mode ranks by
// quality; Balanced and Cost put every candidate that reaches
// (1-band)*q* first, cheapest first, then the rest by quality, so a failover
// stays as close to the band as it can.
func rank(cands []scored, mode Mode, bands Bands) (best, threshold float64, order []scored) {
	for _, c := range cands {
		best = max(best, c.quality)
	}
	threshold = best
	if mode != ModeQuality {
		threshold = (1 - bands.Band(mode)) * best
	}
	order = append([]scored(nil), cands...)
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if mode != ModeQuality {
			ina, inb := a.quality >= threshold, b.quality >= threshold
			if ina != inb {
				return ina
			}
			if ina && a.cost != b.cost {
				return a.cost < b.cost
			}
		}
		if a.quality != b.quality {
			return a.quality > b.quality
		}
		return a.cost < b.cost
	})
	return best, threshold, order
}

// explain writes why each ranked candidate won or lost.
func explain(d *Decision, order []scored, mode Mode, band float64) {
	if len(order) == 0 {
		return
	}
	win := order[0]
	for i, s := range order {
		c := &d.Candidates[s.idx]
		c.Rank = i + 1
		switch {
		case i == 0 && mode == ModeQuality:
			c.Reason = fmt.Sprintf("chosen: highest predicted quality (%.3f)", s.quality)
		case i == 0:
			// The band as configured (0.105 is 10.5 %), not as the
			// threshold over q* rounds it, which q* = 0 makes 100 %.
			c.Reason = fmt.Sprintf("chosen: cheapest with predicted quality >= %.3f (%s band %.4g%% below best %.3f)",
				d.Threshold, mode, 100*band, d.BestQuality)
		case s.quality == win.quality && s.cost == win.cost:
			// Nothing the mode weighs tells them apart: the order the
			// models are listed in does.
			c.Reason = "lost: same predicted quality and expected cost as the chosen model, listed before it"
		case mode == ModeQuality && s.quality == win.quality:
			p := decimals(s.cost, win.cost, 6)
			c.Reason = fmt.Sprintf("lost: same predicted quality %.3f, expected cost $%.*f above $%.*f", s.quality, p, s.cost, p, win.cost)
		case mode == ModeQuality:
			c.Reason = twoNumbers("lost: predicted quality ", s.quality, " below ", win.quality, decimals(s.quality, win.quality, 3))
		case s.quality >= d.Threshold && s.cost == win.cost:
			// A cost tie in the band goes to the higher quality.
			p := decimals(s.quality, win.quality, 3)
			c.Reason = fmt.Sprintf("lost: within the band at the same expected cost $%.6f, predicted quality %.*f below %.*f",
				s.cost, p, s.quality, p, win.quality)
		case s.quality >= d.Threshold:
			c.Reason = twoNumbers("lost: within the band but expected cost $", s.cost, " above $", win.cost, decimals(s.cost, win.cost, 6))
		default:
			c.Reason = twoNumbers("lost: predicted quality ", s.quality, " below the band threshold ", d.Threshold, decimals(s.quality, d.Threshold, 3))
		}
	}
}

// decimals is the fewest decimals, at least min, at which x and y are
// written apart where they differ: a candidate that lost by less than the
// last of min decimals read "predicted quality 0.970 below the band
// threshold 0.970", as if it had not lost.
func decimals(x, y float64, min int) int {
	// Two units of the last decimal apart (most losers) they are written
	// apart; only closer ones are formatted.
	if x == y || math.IsNaN(x) || math.IsNaN(y) || math.Abs(x-y) >= 2*math.Pow10(-min) {
		return min
	}
	// Not 17 at most: that is 17 significant digits only for numbers of
	// 0.1 and more, and two costs near $0.001 can be apart in their 18th
	// decimal. Two distinct float64s are apart by 5e-324 at least, so they
	// are written apart by 330 decimals.
	var a, b [64]byte // on the stack: the reasons are written on every call
	for p := min; p < 330; p++ {
		if !bytes.Equal(strconv.AppendFloat(a[:0], x, 'f', p, 64), strconv.AppendFloat(b[:0], y, 'f', p, 64)) {
			return p
		}
	}
	return min
}

// twoNumbers is a, x, b and y with x and y written with prec decimals, as
// fmt.Sprintf's %.3f or %.6f writes them: the reasons of most of the
// candidates that lost, on every call, in one allocation where Sprintf
// takes three.
func twoNumbers(a string, x float64, b string, y float64, prec int) string {
	out := make([]byte, 0, 96)
	out = append(out, a...)
	out = strconv.AppendFloat(out, x, 'f', prec, 64)
	out = append(out, b...)
	out = strconv.AppendFloat(out, y, 'f', prec, 64)
	return string(out)
}

// Pick returns the index the mode policy chooses among candidates with
// these predicted qualities and expected costs: the cheapest whose quality
// reaches (1-band)·q*, higher quality breaking a cost tie, then order; band
// 0 is the Quality mode. It is rank's first place without the reasons, so
// offline evaluation and band calibration apply the very policy the gateway
// does (-1 for no candidates).
func Pick(quality, cost []float64, band float64) int {
	// A candidate whose numbers Decide excludes (not finite, a quality
	// outside [0, 1], a negative cost) is never picked.
	best := 0.0
	for i, q := range quality {
		if usable(q, cost[i]) {
			best = max(best, q)
		}
	}
	threshold := (1 - band) * best
	pick := -1
	for i, q := range quality {
		if !usable(q, cost[i]) || q < threshold {
			continue
		}
		if pick < 0 || cost[i] < cost[pick] || (cost[i] == cost[pick] && q > quality[pick]) {
			pick = i
		}
	}
	return pick
}

// Unusable says why a prediction and the expected cost it makes cannot
// be weighed, "" when they can: Decide excludes such a candidate, and
// offline evaluation refuses such a router model, as Pick would find no
// choice where every candidate has one. A NaN compares false both ways:
// it would set q* to NaN, leave every model out of the band and win on
// cost. An infinite length is refused too, though max_tokens may cap its
// cost: the decision must encode as JSON. A quality is a probability:
// one above 1 would set a band no real model reaches, one below 0 sit
// below a q* of 0 that no candidate has. A negative length makes a
// negative cost, which would win every band it is in. Each comes from a
// broken router model.
func Unusable(est Estimate, cost float64) string {
	switch {
	case !finite(est.Quality) || !finite(est.OutputTokens) || !finite(cost):
		return fmt.Sprintf("not a finite number: predicted quality %v, output tokens %v, expected cost %v",
			est.Quality, est.OutputTokens, cost)
	case est.Quality < 0 || est.Quality > 1:
		return fmt.Sprintf("predicted quality %v is not a probability in [0, 1]", est.Quality)
	case est.OutputTokens < 0:
		return fmt.Sprintf("predicted output tokens %v are below 0", est.OutputTokens)
	}
	return ""
}

// usable reports whether Pick may weigh a candidate with this quality
// and expected cost: what Decide would not exclude (Unusable), catalog
// prices being at least 0.
func usable(quality, cost float64) bool {
	return finite(quality) && finite(cost) && quality >= 0 && quality <= 1 && cost >= 0
}
