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

// A model of the router version that the deployment leaves out for a
// reason of its own (Claude without a deployment of its own) is shown as
// an excluded candidate with that reason, so the user learns what to do.
// It is never chosen nor a fallback, however good its prediction, and the
// other models are decided exactly as without it.
func TestALeftOutModelIsAnExcludedCandidateWithItsReason(t *testing.T) {
	pred := router.Prediction{}
	for k, v := range fixed {
		pred[k] = v
	}
	pred["p-claude"] = router.Estimate{Quality: 0.99, OutputTokens: 10}
	r := newRouter(t, router.Config{Predictor: &routertest.Predictor{Fixed: pred}})
	const why = "claude must be deployed before model router can route to it"
	others := []string{"strong", "mid", "weak", "thinker"}
	plain := router.Deployment{Name: "d", RouterVersion: "v2", Models: others}
	leftOut := plain
	leftOut.LeftOut = []router.LeftOut{{Model: "claude", Reason: why}}

	ms, err := r.Candidates(leftOut)
	require.NoError(t, err)
	assert.False(t, slices.ContainsFunc(ms, func(m router.Model) bool { return m.ID == "claude" }), "not a model the deployment routes to")

	for _, mode := range router.Modes {
		req := router.Request{Prompt: "x", Mode: mode}
		want, err := r.Decide(context.Background(), plain, req)
		require.NoError(t, err)
		got, err := r.Decide(context.Background(), leftOut, req)
		require.NoError(t, err)
		assert.Equal(t, want.ChosenID, got.ChosenID, mode)
		assert.Equal(t, want.Fallbacks, got.Fallbacks, "%s: never a fallback", mode)
		i := slices.IndexFunc(got.Candidates, func(c router.Candidate) bool { return c.Model == "claude" })
		require.GreaterOrEqual(t, i, 0, "%s: claude is shown", mode)
		c := got.Candidates[i]
		assert.Equal(t, router.Candidate{Model: "claude", Profile: "p-claude", Reason: "excluded: " + why, LeftOut: true}, c,
			"%s: marked left out, which the decision log writes short", mode)
		assert.Equal(t, want.Candidates, slices.Delete(slices.Clone(got.Candidates), i, i+1), "%s: the others as without it", mode)
	}
}

// A request no routable model can take keeps its error: a prompt too long
// for all of them is still context_length_exceeded (trimming is the fix;
// the left-out model is no candidate to trim for), and its message shows
// the left-out model's reason too.
func TestALeftOutModelLeavesTheContextLengthRefusalAsItWas(t *testing.T) {
	r := newRouter(t, router.Config{})
	const why = "claude must be deployed before model router can route to it"
	dep := router.Deployment{Name: "d", Models: []string{"strong", "mid", "weak", "thinker"},
		LeftOut: []router.LeftOut{{Model: "claude", Reason: why}}}
	_, err := r.Decide(context.Background(), dep, router.Request{Prompt: "x", Needs: router.Needs{InputTokens: 5000}})
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.ENoEligible, re.Code)
	assert.Equal(t, router.ReasonContextLength, re.Reason)
	assert.Contains(t, re.Message, "claude ("+why+")")
}

// routing_config.models naming a left-out model is refused, as naming a
// model outside the deployment is, but with the reason it is left out:
// the deployment's router version has it, and deploying it is the fix.
func TestRoutingConfigNamingALeftOutModelIsRefusedWithItsReason(t *testing.T) {
	r := newRouter(t, router.Config{})
	const why = "claude must be deployed before model router can route to it"
	dep := router.Deployment{Name: "d", Models: []string{"strong", "mid"},
		LeftOut: []router.LeftOut{{Model: "claude", Reason: why}}}
	for _, models := range [][]string{{"claude"}, {"mid", "claude"}} {
		_, err := r.Decide(context.Background(), dep, router.Request{Prompt: "x", Models: models})
		var re *router.Error
		require.ErrorAs(t, err, &re, models)
		assert.Equal(t, router.EInvalid, re.Code, models)
		assert.Equal(t, "routing_config.models", re.Param, models)
		assert.Equal(t, `model "claude" is left out of this deployment: `+why+"; valid models: strong, mid", re.Message, models)
	}
}
