package router_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// logicModel is a model with every capability, a 1,000-token window and
// profile "p-<id>".
func logicModel(id string, inPerM, outPerM float64) router.Model {
	return router.Model{ID: id, Name: id, Format: "OpenAI", Profile: "p-" + id,
		InputPerMTok: inPerM, OutputPerMTok: outPerM, ContextWindow: 1000, MaxOutput: 500,
		Capabilities: router.Capabilities{Tools: true, Vision: true, StructuredOutput: true}}
}

func logicRouter(t *testing.T, pred router.Prediction, ms ...router.Model) *router.Router {
	t.Helper()
	r, err := router.New(router.Config{
		Catalog:   router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: ms}}},
		Predictor: &routertest.Predictor{Fixed: pred},
		Bands:     router.Bands{Balanced: 0.03, Cost: 0.11},
	})
	require.NoError(t, err)
	return r
}

// A NaN quality for one profile must not decide for the others. With the
// NaN model set aside, q* = 0.9 (b), the Balanced threshold is
// 0.97 x 0.9 = 0.873, and c (0.89, $0.0001) is the cheapest in the band.
// Without that, q* would be NaN (max(x, NaN) = NaN), nothing would be in
// the band and the NaN model would win, and its NaN quality would make
// model_selection_details unencodable.
func TestNaNQualityDoesNotPoisonTheBand(t *testing.T) {
	r := logicRouter(t, router.Prediction{
		"p-a": {Quality: math.NaN(), OutputTokens: 100},
		"p-b": {Quality: 0.90, OutputTokens: 100},
		"p-c": {Quality: 0.89, OutputTokens: 100},
	}, logicModel("a", 1, 1), logicModel("b", 10, 10), logicModel("c", 1, 1))

	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "c", d.ChosenID, "cheapest within 3 percent of the best finite quality 0.9")
	assert.False(t, math.IsNaN(d.BestQuality), "q* is NaN")
	assert.InDelta(t, 0.9, d.BestQuality, 1e-12)
	assert.InDelta(t, 0.873, d.Threshold, 1e-12)
	for _, c := range d.Candidates {
		if c.Eligible {
			assert.False(t, math.IsNaN(c.Quality) || math.IsNaN(c.ExpectedCost), "candidate %s ranked with a NaN number", c.Model)
		}
	}
}

// A NaN answer length makes a NaN expected cost, which compares neither
// below nor above any cost: that model is excluded, and the cheapest in the
// band (c) is chosen.
func TestNaNOutputTokensDoNotWinOnCost(t *testing.T) {
	r := logicRouter(t, router.Prediction{
		"p-a": {Quality: 0.90, OutputTokens: math.NaN()},
		"p-b": {Quality: 0.90, OutputTokens: 100},
		"p-c": {Quality: 0.89, OutputTokens: 100},
	}, logicModel("a", 1, 1), logicModel("b", 10, 10), logicModel("c", 1, 1))

	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "c", d.ChosenID)
	assert.InDelta(t, 0.0001, d.Candidates[2].ExpectedCost, 1e-12)
}

// Decide refuses an unknown mode (EInvalid), whether the request or the
// deployment names it (a library caller, a deployment stored by an older
// version), rather than routing it with band 0.
func TestDecideRefusesAnUnknownMode(t *testing.T) {
	r := logicRouter(t, router.Prediction{
		"p-a": {Quality: 0.90, OutputTokens: 100},
		"p-b": {Quality: 0.89, OutputTokens: 100},
	}, logicModel("a", 10, 10), logicModel("b", 1, 1))

	_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{Mode: "fast"})
	require.Error(t, err, "an unknown mode was routed")
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))

	_, err = r.Decide(context.Background(), router.Deployment{Name: "d", Mode: "fast"}, router.Request{})
	require.Error(t, err, "a deployment's unknown mode was routed")
	assert.Equal(t, router.EInvalid, router.ErrorCode(err))
}

// When session affinity moves its model to rank 1, the model the policy
// would have chosen drops to rank 2 and says it was passed over: only one
// candidate says "chosen" in model_selection_details and the log.
func TestAffinityLeavesOneChosenReason(t *testing.T) {
	qa := 0.90
	pr := &routertest.Predictor{PredictFn: func(string) router.Prediction {
		return router.Prediction{"p-a": {Quality: qa, OutputTokens: 100}, "p-b": {Quality: 0.90, OutputTokens: 100}}
	}}
	r, err := router.New(router.Config{
		Catalog:   router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: []router.Model{logicModel("a", 1, 1), logicModel("b", 10, 10)}}}},
		Predictor: pr,
	})
	require.NoError(t, err)
	ctx, dep := context.Background(), router.Deployment{Name: "d"}

	d, err := r.Decide(ctx, dep, router.Request{SessionKey: "s"})
	require.NoError(t, err)
	require.Equal(t, "a", d.ChosenID) // a and b tie on quality; a is cheaper

	qa = 0.5 // the policy now picks b; the session stays on a
	d, err = r.Decide(ctx, dep, router.Request{SessionKey: "s"})
	require.NoError(t, err)
	require.Equal(t, "a", d.ChosenID)
	require.True(t, d.Affinity)
	for _, c := range d.Candidates {
		if c.Rank != 1 {
			assert.False(t, strings.HasPrefix(c.Reason, "chosen"), "rank %d candidate %s says %q", c.Rank, c.Model, c.Reason)
		}
	}
}

// An unhealthy model is left out of the band: q* is the best healthy
// quality. Unhealthy a 0.90, b 0.85 ($5/M), c 0.84 ($1/M), Balanced 3 %:
// the threshold is 0.97 x 0.85 = 0.8245, so c is the cheapest in the band;
// measured against a's 0.90 (threshold 0.873) neither b nor c would be in
// it and the pick would fall back to quality order (b), paying five times
// as much because a model that is failing raised the bar.
func TestUnhealthyModelDoesNotSetTheBand(t *testing.T) {
	ms := []router.Model{logicModel("a", 10, 10), logicModel("b", 5, 5), logicModel("c", 1, 1)}
	r, err := router.New(router.Config{
		Catalog: router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: ms}}},
		Predictor: &routertest.Predictor{Fixed: router.Prediction{
			"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.85, OutputTokens: 100}, "p-c": {Quality: 0.84, OutputTokens: 100},
		}},
		Bands:     router.Bands{Balanced: 0.03, Cost: 0.11},
		Unhealthy: unhealthy("a"),
	})
	require.NoError(t, err)
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "b", "a"}, order(d), "the band over the healthy models, then the unhealthy one")
	assert.InDelta(t, 0.85, d.BestQuality, 1e-12)
	assert.InDelta(t, 0.8245, d.Threshold, 1e-12)
	assert.Equal(t, "tried last: unhealthy: 3 failures in a row", d.Candidates[0].Reason)
	assert.Equal(t, 3, d.Candidates[0].Rank)
}
