package router_test

import (
	"context"
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
