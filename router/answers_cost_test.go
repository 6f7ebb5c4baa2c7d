package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A call that asks for n answers (Chat's n) pays for the prompt once and
// for every answer, hidden reasoning included. The prices are gpt-5-nano's
// (0.05 in, 0.4 out, 512 reasoning tokens) and gpt-4.1-nano's (0.1 in, 0.4
// out) on a 10,000-token prompt with 100-token answers: for one answer the
// reasoner costs $0.000745 and the other $0.001040, for eight $0.002458
// and $0.001320, so Cost mode must change its pick.
func TestEveryAnswerAskedForCountsInExpectedCost(t *testing.T) {
	reasoner := logicModel("reasoner", 0.05, 0.4)
	reasoner.ContextWindow, reasoner.ReasoningTokens = 100_000, 512
	plain := logicModel("plain", 0.1, 0.4)
	plain.ContextWindow = 100_000
	r, err := router.New(router.Config{
		Catalog: router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: []router.Model{reasoner, plain}}}},
		Predictor: &routertest.Predictor{Fixed: router.Prediction{
			"p-reasoner": {Quality: 0.8, OutputTokens: 100}, "p-plain": {Quality: 0.8, OutputTokens: 100},
		}},
	})
	require.NoError(t, err)
	dep := router.Deployment{Name: "d", Mode: router.ModeCost}
	cost := func(d router.Decision, id string) float64 {
		for _, c := range d.Candidates {
			if c.Model == id {
				return c.ExpectedCost
			}
		}
		t.Fatalf("no candidate %s", id)
		return 0
	}

	one, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10_000}})
	require.NoError(t, err)
	assert.Equal(t, "reasoner", one.ChosenID)
	assert.InDelta(t, (10_000*0.05+612*0.4)/1e6, cost(one, "reasoner"), 1e-12)

	eight, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10_000, Answers: 8}})
	require.NoError(t, err)
	assert.Equal(t, "plain", eight.ChosenID, "eight answers with 512 reasoning tokens each cost more than the cheaper prompt saves")
	assert.InDelta(t, (10_000*0.05+8*612*0.4)/1e6, cost(eight, "reasoner"), 1e-12)
	assert.InDelta(t, (10_000*0.1+8*100*0.4)/1e6, cost(eight, "plain"), 1e-12)

	capped, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10_000, Answers: 8, MaxOutputTokens: 200}})
	require.NoError(t, err)
	assert.InDelta(t, (10_000*0.05+8*200*0.4)/1e6, cost(capped, "reasoner"), 1e-12, "each answer stops at the client's limit")
}
