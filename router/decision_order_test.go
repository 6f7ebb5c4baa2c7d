package router_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// ids lists the models' ids.
func ids(ms []router.Model) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// TestOrderIsChosenThenFallbacks checks the models a call tries: the
// chosen one, then the fallbacks in rank order, for a decision Decide
// made, one whose fallbacks were changed after, and one made by hand.
func TestOrderIsChosenThenFallbacks(t *testing.T) {
	r := newRouter(t, router.Config{Predictor: &routertest.Predictor{Fixed: fixed}})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	require.NotEmpty(t, d.Fallbacks)
	want := append([]string{d.ChosenID}, ids(d.Fallbacks)...)
	assert.Equal(t, want, ids(d.Order()))

	changed := d
	changed.Fallbacks = []router.Model{d.Fallbacks[len(d.Fallbacks)-1]}
	assert.Equal(t, []string{d.ChosenID, changed.Fallbacks[0].ID}, ids(changed.Order()))

	byHand := router.Decision{Chosen: router.Model{ID: "a"}, ChosenID: "a", Fallbacks: []router.Model{{ID: "b"}}}
	assert.Equal(t, []string{"a", "b"}, ids(byHand.Order()))
}

// TestOrderFollowsChangedDecision checks Order against the decision as it
// stands after a caller changed it: fallbacks re-sliced from either end,
// edited in place, replaced or dropped, the chosen model swapped with a fallback.
func TestOrderFollowsChangedDecision(t *testing.T) {
	r := newRouter(t, router.Config{Predictor: &routertest.Predictor{Fixed: fixed}})
	decide := func() router.Decision {
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(d.Fallbacks), 2)
		return d
	}
	want := func(d router.Decision) []router.Model { return append([]router.Model{d.Chosen}, d.Fallbacks...) }

	d := decide()
	d.Fallbacks = d.Fallbacks[1:]
	assert.Equal(t, want(d), d.Order(), "first fallback dropped")

	d = decide()
	d.Fallbacks = d.Fallbacks[:len(d.Fallbacks)-1]
	assert.Equal(t, want(d), d.Order(), "last fallback dropped")

	d = decide()
	d.Fallbacks[0].UpstreamModel = "edited"
	assert.Equal(t, want(d), d.Order(), "fallback edited in place")

	d = decide()
	d.Chosen, d.Fallbacks[0] = d.Fallbacks[0], d.Chosen
	d.ChosenID = d.Chosen.ID
	assert.Equal(t, want(d), d.Order(), "chosen swapped with a fallback")

	d = decide()
	d.Fallbacks = slices.Clone(d.Fallbacks)
	slices.Reverse(d.Fallbacks)
	assert.Equal(t, want(d), d.Order(), "fallbacks replaced, same length")

	d = decide()
	d.Fallbacks = nil
	assert.Equal(t, want(d), d.Order(), "fallbacks dropped")
}

// TestModelsHeldIsOrdersArray checks ModelsHeld against the arrays a
// decision keeps: Decide's Order is the one array Fallbacks is the tail of
// (no copy), Chosen at its head, so it holds a Model more than Fallbacks;
// a decision made by hand holds its Fallbacks only.
func TestModelsHeldIsOrdersArray(t *testing.T) {
	r := newRouter(t, router.Config{Predictor: &routertest.Predictor{Fixed: fixed}})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	require.NotEmpty(t, d.Fallbacks)
	order := d.Order()
	require.Same(t, &order[1], &d.Fallbacks[0], "Fallbacks is the tail of Order's array")
	assert.Equal(t, len(order), d.ModelsHeld())
	assert.Equal(t, len(d.Fallbacks)+1, d.ModelsHeld())

	byHand := router.Decision{Chosen: d.Chosen, ChosenID: d.ChosenID, Fallbacks: slices.Clone(d.Fallbacks)}
	assert.Equal(t, len(d.Fallbacks), byHand.ModelsHeld())
}
