package router_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// The tests in this file hold Decide to the README's definitions ("How
// routing works": Modes are quality bands, Expected cost and hidden
// reasoning tokens, Capability filters, Unhealthy models are tried last)
// over many random deployments, requests and prediction vectors. Each
// trial recomputes what the README says from the inputs alone and
// compares it with the decision; a seeded generator keeps every run the
// same.

// propertyWorld is one random trial: a router version, a deployment over
// part of it, a request, the router model's prediction and the bands.
type propertyWorld struct {
	models    []router.Model
	pred      router.Prediction
	bands     router.Bands
	dep       router.Deployment
	req       router.Request
	unhealthy map[string]bool
}

// randomWorld draws a trial. Values are coarse on purpose, so that ties in
// quality and in expected cost (free models, equal prices) happen often.
func randomWorld(rng *rand.Rand) propertyWorld {
	w := propertyWorld{pred: router.Prediction{}, unhealthy: map[string]bool{}}
	prices := []float64{0, 0, 0.1, 0.4, 1, 2.5, 10}
	n := 1 + rng.IntN(7)
	for i := range n {
		m := router.Model{ID: fmt.Sprintf("m%d", i), Name: fmt.Sprintf("m%d", i), Format: "OpenAI", Profile: fmt.Sprintf("p%d", i),
			InputPerMTok: prices[rng.IntN(len(prices))], OutputPerMTok: prices[rng.IntN(len(prices))],
			ContextWindow: []int{400, 4000, 128_000}[rng.IntN(3)], MaxOutput: []int{300, 4000}[rng.IntN(2)],
			Capabilities: router.Capabilities{Tools: rng.IntN(4) > 0, Vision: rng.IntN(2) == 0, StructuredOutput: true}}
		if rng.IntN(3) == 0 { // a reasoning model
			m.Capabilities.Reasoning = true
			m.ReasoningTokens = []float64{128, 512, 1024}[rng.IntN(3)]
			if rng.IntN(2) == 0 {
				m.Capabilities.ReasoningEfforts = []string{"minimal", "low", "medium", "high"}
			}
		}
		w.models = append(w.models, m)
		if rng.IntN(12) > 0 { // now and then the router model lacks a profile
			q := rng.Float64()
			if rng.IntN(2) == 0 {
				q = float64(rng.IntN(11)) / 10
			}
			w.pred[m.Profile] = router.Estimate{Quality: q, OutputTokens: []float64{0, 40, 100.5, 800, 3000}[rng.IntN(5)]}
			if rng.IntN(15) == 0 { // or a broken router model's number
				w.pred[m.Profile] = []router.Estimate{{Quality: math.NaN(), OutputTokens: 100}, {Quality: 0.5, OutputTokens: math.Inf(1)},
					{Quality: -0.1, OutputTokens: 100}, {Quality: 1.2, OutputTokens: 100}, {Quality: 0.5, OutputTokens: -50}}[rng.IntN(5)]
			}
		}
		w.unhealthy[m.ID] = rng.IntN(6) == 0
	}
	// Both bands 0 would read as "no bands" (DefaultBands).
	w.bands = router.Bands{Balanced: []float64{0, 0.02, 0.03, 0.1}[rng.IntN(4)], Cost: []float64{0.06, 0.105, 0.3, 1}[rng.IntN(4)]}

	pick := func(from []router.Model) []string {
		var ids []string
		for _, m := range from {
			if rng.IntN(3) > 0 {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) == 0 {
			ids = []string{from[rng.IntN(len(from))].ID}
		}
		return ids
	}
	w.dep = router.Deployment{Name: "d", Mode: router.Modes[rng.IntN(len(router.Modes))]}
	if rng.IntN(2) == 0 {
		w.dep.Models = pick(w.models)
	}
	if rng.IntN(3) == 0 { // routing_config.models, in an order of its own
		in := w.subset()
		w.req.Models = pick(in)
		rng.Shuffle(len(w.req.Models), func(i, j int) { w.req.Models[i], w.req.Models[j] = w.req.Models[j], w.req.Models[i] })
	}
	if rng.IntN(3) == 0 {
		w.req.Mode = router.Modes[rng.IntN(len(router.Modes))]
	}
	w.req.Prompt = "x"
	w.req.Needs = router.Needs{Tools: rng.IntN(4) == 0, Vision: rng.IntN(5) == 0,
		InputTokens: []int{10, 300, 3000, 200_000}[rng.IntN(4)], Answers: rng.IntN(3),
		ReasoningEffort: []string{"", "", "minimal", "high"}[rng.IntN(4)]}
	if rng.IntN(3) == 0 {
		w.req.Needs.MaxOutputTokens = []int{50, 1000}[rng.IntN(2)]
	}
	return w
}

// subset is the deployment's models in the version's order.
func (w propertyWorld) subset() []router.Model {
	if len(w.dep.Models) == 0 {
		return w.models
	}
	var out []router.Model
	for _, m := range w.models {
		if slices.Contains(w.dep.Models, m.ID) {
			out = append(out, m)
		}
	}
	return out
}

// considered is what the request routes among, in the order that breaks
// the last ties: the version's, or routing_config.models'.
func (w propertyWorld) considered() []router.Model {
	if len(w.req.Models) == 0 {
		return w.subset()
	}
	var out []router.Model
	for _, id := range w.req.Models {
		i := slices.IndexFunc(w.models, func(m router.Model) bool { return m.ID == id })
		out = append(out, w.models[i])
	}
	return out
}

// serves says whether m passes the capability and context filters.
func (w propertyWorld) serves(m router.Model) bool {
	n := w.req.Needs
	return (!n.Tools || m.Capabilities.Tools) && (!n.Vision || m.Capabilities.Vision) &&
		(n.MaxOutputTokens == 0 || n.MaxOutputTokens <= m.MaxOutput) &&
		n.InputTokens+n.MaxOutputTokens <= m.ContextWindow
}

func (w propertyWorld) mode() router.Mode { return cmp.Or(w.req.Mode, w.dep.Mode, router.ModeBalanced) }

// expectedCost is the README's formula: (input tokens x input price +
// answers x (predicted answer tokens + hidden reasoning tokens) x output
// price) / 1e6, answer and reasoning together at most the output limit;
// a reasoning model sent effort minimal, one it lists, reasons 0 tokens.
func (w propertyWorld) expectedCost(m router.Model, outputTokens float64) float64 {
	n := w.req.Needs
	reasoning := m.ReasoningTokens
	if n.ReasoningEffort == "minimal" && slices.Contains(m.Capabilities.ReasoningEfforts, "minimal") {
		reasoning = 0
	}
	out := outputTokens + reasoning
	if n.MaxOutputTokens > 0 {
		out = math.Min(out, float64(n.MaxOutputTokens))
	}
	return (float64(n.InputTokens)*m.InputPerMTok + float64(max(n.Answers, 1))*out*m.OutputPerMTok) / 1e6
}

// ranked is an eligible model as the README's policy sees it.
type ranked struct {
	id      string
	q, cost float64
	listed  int
}

// readmeOrder is the README's ranking of one group of models (the healthy
// ones, or the unhealthy ones behind them): Quality by predicted quality,
// then lower expected cost; Balanced and Cost the models with q >= (1-b)
// q* cheapest first, a cost tie to the higher quality, then the rest by
// predicted quality; the last ties to the model listed first. It returns
// the order, q* and the threshold.
func readmeOrder(group []ranked, mode router.Mode, band float64) ([]ranked, float64, float64) {
	best := math.Inf(-1)
	for _, c := range group {
		best = max(best, c.q)
	}
	threshold := best
	if mode != router.ModeQuality {
		threshold = (1 - band) * best
	}
	byQuality := func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.q, a.q), cmp.Compare(a.cost, b.cost), cmp.Compare(a.listed, b.listed))
	}
	out := slices.Clone(group)
	slices.SortFunc(out, func(a, b ranked) int {
		if mode == router.ModeQuality {
			return byQuality(a, b)
		}
		ina, inb := a.q >= threshold, b.q >= threshold
		switch {
		case ina && !inb:
			return -1
		case inb && !ina:
			return 1
		case ina:
			return cmp.Or(cmp.Compare(a.cost, b.cost), cmp.Compare(b.q, a.q), cmp.Compare(a.listed, b.listed))
		}
		return byQuality(a, b)
	})
	return out, best, threshold
}

func TestDecideFollowsTheReadmesDefinitionsOnRandomPredictions(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260505, 7))
	var chose, refused, triedLast int
	chosenBy := map[router.Mode]int{}
	for trial := range 3000 {
		w := randomWorld(rng)
		r, err := router.New(router.Config{
			Catalog:   router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: w.models}}},
			Predictor: &routertest.Predictor{Fixed: w.pred},
			Bands:     w.bands,
			Unhealthy: func(m router.Model) string {
				if w.unhealthy[m.ID] {
					return "unhealthy: 3 failures in a row"
				}
				return ""
			},
		})
		require.NoError(t, err)
		require.Equal(t, w.bands, r.Bands(), "the bands given are the bands in force")
		n := w.req.Needs
		where := fmt.Sprintf("trial %d: mode %s, bands %+v, tools %v, vision %v, input %d, max output %d, answers %d, effort %q, subset %v, models %v",
			trial, w.mode(), w.bands, n.Tools, n.Vision, n.InputTokens, n.MaxOutputTokens, n.Answers, n.ReasoningEffort, w.dep.Models, w.req.Models)

		d, err := r.Decide(context.Background(), w.dep, w.req)
		again, err2 := r.Decide(context.Background(), w.dep, w.req)
		require.Equal(t, err, err2, where)
		again.Latency = d.Latency
		require.Equal(t, d, again, "the same request and prediction decide the same; %s", where)

		considered := w.considered()
		var eligible []ranked
		filtered := true // every considered model fails a filter
		for i, m := range considered {
			if !w.serves(m) {
				continue
			}
			filtered = false
			// A prediction is weighed when it is one: a quality in [0, 1]
			// and an answer length of 0 or more.
			if est, ok := w.pred[m.Profile]; ok && est.Quality >= 0 && est.Quality <= 1 && est.OutputTokens >= 0 && !math.IsInf(est.OutputTokens, 0) {
				eligible = append(eligible, ranked{id: m.ID, q: est.Quality, cost: w.expectedCost(m, est.OutputTokens), listed: i})
			}
		}
		if len(eligible) == 0 {
			refused++
			require.Error(t, err, where)
			want := router.ENoEligible
			if !filtered {
				want = router.ERouterModelUnavailable // the models left lack a usable prediction
			}
			require.Equal(t, want, router.ErrorCode(err), "%v; %s", err, where)
			var e *router.Error
			require.ErrorAs(t, err, &e)
			require.Len(t, e.Detail, len(considered), "error.candidates names each model considered; %s", where)
			continue
		}
		require.NoError(t, err, where)
		chose++
		chosenBy[w.mode()]++

		// Every candidate's numbers are the prediction's and the README's cost.
		require.Len(t, d.Candidates, len(considered), where)
		byID := map[string]router.Candidate{}
		for i, c := range d.Candidates {
			require.Equal(t, considered[i].ID, c.Model, where)
			byID[c.Model] = c
		}
		for _, e := range eligible {
			c := byID[e.id]
			require.True(t, c.Eligible, "%s: %q; %s", e.id, c.Reason, where)
			assert.Equal(t, e.q, c.Quality, where)
			assert.Equal(t, w.pred["p"+strings.TrimPrefix(e.id, "m")].OutputTokens, c.OutputTokens, where)
			assert.InDelta(t, e.cost, c.ExpectedCost, 1e-15+1e-12*e.cost, "%s expected cost; %s", e.id, where)
		}
		for _, c := range d.Candidates {
			if !slices.ContainsFunc(eligible, func(e ranked) bool { return e.id == c.Model }) {
				require.False(t, c.Eligible, "%s fails a filter or has no usable prediction, yet is eligible; %s", c.Model, where)
				require.Zero(t, c.Rank, where)
				require.True(t, strings.HasPrefix(c.Reason, "excluded: "), "%s: %q", c.Model, c.Reason)
			}
		}
		// Order ties on the numbers the decision reports (checked above).
		for i := range eligible {
			eligible[i].cost = byID[eligible[i].id].ExpectedCost
		}

		// The README's order: the healthy models ranked by the mode, the
		// unhealthy behind them in their own order; all of them ranked as
		// if healthy when every one is unhealthy.
		band := w.bands.Band(w.mode())
		var healthy, sick []ranked
		for _, e := range eligible {
			if w.unhealthy[e.id] {
				sick = append(sick, e)
			} else {
				healthy = append(healthy, e)
			}
		}
		if len(healthy) == 0 {
			healthy, sick = sick, nil
		}
		want, best, threshold := readmeOrder(healthy, w.mode(), band)
		if len(sick) > 0 {
			triedLast++
			last, _, _ := readmeOrder(sick, w.mode(), band)
			want = append(want, last...)
		}
		var wantIDs []string
		for _, e := range want {
			wantIDs = append(wantIDs, e.id)
		}
		require.Equal(t, wantIDs, order(d), "the failover order; %s; eligible %+v", where, eligible)
		assert.Equal(t, best, d.BestQuality, "q*; %s", where)
		assert.Equal(t, threshold, d.Threshold, where)
		for i, id := range wantIDs {
			assert.Equal(t, i+1, byID[id].Rank, where)
		}

		// The mode's definition, stated on its own.
		chosen := byID[d.ChosenID]
		require.True(t, slices.ContainsFunc(considered, func(m router.Model) bool { return m.ID == d.ChosenID }), "chosen outside the subset; %s", where)
		require.True(t, strings.HasPrefix(chosen.Reason, "chosen: "), chosen.Reason)
		for _, e := range healthy {
			switch {
			case w.mode() == router.ModeQuality:
				assert.GreaterOrEqual(t, chosen.Quality, e.q, "Quality mode picks the highest quality; %s", where)
			case e.q >= (1-band)*best:
				assert.GreaterOrEqual(t, chosen.Quality, (1-band)*best, "the pick is within the band; %s", where)
				assert.LessOrEqual(t, chosen.ExpectedCost, e.cost, "the pick is the cheapest within the band; %s", where)
			}
		}
		assert.Equal(t, router.Pick(qualities(healthy), costs(healthy), band), slices.IndexFunc(healthy, func(e ranked) bool { return e.id == d.ChosenID }),
			"Pick, which eval and calibration use, picks what Decide picks; %s", where)
	}
	// The trials reach every branch they are meant to test.
	t.Logf("%d decisions (%v), %d refused, %d with models tried last", chose, chosenBy, refused, triedLast)
	assert.Greater(t, refused, 100)
	assert.Greater(t, triedLast, 100)
	for _, m := range router.Modes {
		assert.Greater(t, chosenBy[m], 300, m)
	}
}

func qualities(rs []ranked) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.q
	}
	return out
}

func costs(rs []ranked) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = r.cost
	}
	return out
}

// Session affinity, over random worlds: a session's second turn, under a
// new prediction, stays on the model its first turn chose while that
// model can serve it and is healthy (or every model is unhealthy), and
// otherwise goes where the mode sends a call without a session. Only the
// numbers the mode weighs change; the order behind the pinned model is
// the mode's.
func TestASessionStaysOnItsFirstModelOverRandomPredictions(t *testing.T) {
	rng := rand.New(rand.NewPCG(20260505, 8))
	var stayed, moved int
	for trial := range 1500 {
		w := randomWorld(rng)
		pred := w.pred
		r, err := router.New(router.Config{
			Catalog:   router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: w.models}}},
			Predictor: &routertest.Predictor{PredictFn: func(string) router.Prediction { return pred }},
			Bands:     w.bands,
			Unhealthy: func(m router.Model) string {
				if w.unhealthy[m.ID] {
					return "unhealthy: 3 failures in a row"
				}
				return ""
			},
		})
		require.NoError(t, err)
		ctx, session := context.Background(), w.req
		session.SessionKey = "s"
		first, err := r.Decide(ctx, w.dep, session)
		if err != nil {
			continue
		}
		// The second turn: every profile predicted afresh.
		pred = router.Prediction{}
		for p, e := range w.pred {
			pred[p] = router.Estimate{Quality: float64(rng.IntN(11)) / 10, OutputTokens: e.OutputTokens}
		}
		// Now and then its model turns unhealthy, or the router model
		// fails it.
		pinnedModel := w.models[slices.IndexFunc(w.models, func(m router.Model) bool { return m.ID == first.ChosenID })]
		switch rng.IntN(6) {
		case 0:
			w.unhealthy[pinnedModel.ID] = true
		case 1:
			pred[pinnedModel.Profile] = router.Estimate{Quality: math.NaN(), OutputTokens: 100}
		}
		where := fmt.Sprintf("trial %d: first turn on %s", trial, first.ChosenID)
		policy, err := r.Decide(ctx, w.dep, w.req)
		second, err2 := r.Decide(ctx, w.dep, session)
		if err != nil { // its model was the only one left, and now has no prediction
			require.Equal(t, router.ErrorCode(err), router.ErrorCode(err2), where)
			continue
		}
		require.NoError(t, err2, where)

		pinned := candidate(t, second, first.ChosenID)
		everyUnhealthy := !slices.ContainsFunc(order(policy), func(id string) bool { return !w.unhealthy[id] })
		if pinned.Eligible && (!w.unhealthy[pinned.Model] || everyUnhealthy) {
			stayed++
			require.Equal(t, first.ChosenID, second.ChosenID, where)
			assert.Equal(t, policy.ChosenID != first.ChosenID, second.Affinity, where)
			rest := slices.DeleteFunc(order(policy), func(id string) bool { return id == first.ChosenID })
			assert.Equal(t, rest, order(second)[1:], "behind the pinned model, the mode's order; %s", where)
		} else {
			moved++
			assert.Equal(t, order(policy), order(second), "a session whose model cannot serve or is failing goes where the mode sends it; %s", where)
			assert.False(t, second.Affinity, where)
		}
	}
	t.Logf("%d sessions stayed, %d moved", stayed, moved)
	assert.Greater(t, stayed, 300)
	assert.Greater(t, moved, 20)
}
