package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A model whose API requires max_tokens (Claude, reached from Chat
// Completions or Responses) is sent one by the gateway when the client set
// none, and its provider refuses a prompt plus that output over the
// window: the context-fit filter counts it as it counts a client's own.
func TestTheOutputAModelIsAskedForByDefaultMustFitItsContextWindow(t *testing.T) {
	r := newRouter(t, router.Config{})
	needs := router.Needs{InputTokens: 900, DefaultOutput: map[string]int{"claude": 400}}
	d, err := r.Decide(context.Background(), router.Deployment{Name: "model-router"}, router.Request{
		Prompt: "x", Mode: router.ModeQuality, Models: []string{"claude", "mid"}, Needs: needs,
	})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID)
	claude := candidate(t, d, "claude")
	assert.False(t, claude.Eligible)
	assert.Contains(t, claude.Reason, "context window 1000 tokens < prompt 900 + output 400")

	_, err = r.Decide(context.Background(), router.Deployment{Name: "model-router"}, router.Request{
		Prompt: "x", Models: []string{"claude"}, Needs: needs,
	})
	assert.Equal(t, router.ENoEligible, router.ErrorCode(err))
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.ReasonContextLength, re.Reason, "trimming the prompt is the fix")
}

// A client's own limit replaces the default: a small one leaves room.
func TestAClientsOwnOutputLimitReplacesTheDefault(t *testing.T) {
	r := newRouter(t, router.Config{})
	d, err := r.Decide(context.Background(), router.Deployment{Name: "model-router"}, router.Request{
		Prompt: "x", Models: []string{"claude"},
		Needs: router.Needs{InputTokens: 900, MaxOutputTokens: 50, DefaultOutput: map[string]int{"claude": 400}},
	})
	require.NoError(t, err)
	assert.Equal(t, "claude", d.ChosenID)
}

// A model sent a default output limit stops there as it stops at a
// client's: predicted to write 8,000 tokens at $1/M, Claude sent
// max_tokens 4096 costs at most 4,096 of them, below the 4,000 at $1.5/M
// the other model is predicted to write, so Cost mode picks Claude.
func TestTheDefaultOutputLimitCapsExpectedCost(t *testing.T) {
	cat := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{
		{ID: "claude", Format: "Anthropic", Profile: "p-claude", InputPerMTok: 1, OutputPerMTok: 1, ContextWindow: 100_000, MaxOutput: 64_000},
		{ID: "gpt", Format: "OpenAI", Profile: "p-gpt", InputPerMTok: 1, OutputPerMTok: 1.5, ContextWindow: 100_000, MaxOutput: 64_000},
	}}}}
	pred := router.Prediction{"p-claude": {Quality: 0.8, OutputTokens: 8000}, "p-gpt": {Quality: 0.8, OutputTokens: 4000}}
	r := newRouter(t, router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}})
	dep := router.Deployment{Name: "d", Mode: router.ModeCost}
	defaults := map[string]int{"claude": 4096}

	d, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10, DefaultOutput: defaults}})
	require.NoError(t, err)
	assert.Equal(t, "claude", d.ChosenID)
	assert.InDelta(t, (10+4096*1)/1e6, candidate(t, d, "claude").ExpectedCost, 1e-12, "Claude stops at the default max_tokens")
	assert.InDelta(t, (10+4000*1.5)/1e6, candidate(t, d, "gpt").ExpectedCost, 1e-12, "a model sent no limit is not capped")

	d, err = r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 10, MaxOutputTokens: 6000, DefaultOutput: defaults}})
	require.NoError(t, err)
	assert.InDelta(t, (10+6000*1)/1e6, candidate(t, d, "claude").ExpectedCost, 1e-12, "the client's own limit replaces the default")
}

func candidate(t *testing.T, d router.Decision, id string) router.Candidate {
	t.Helper()
	for _, c := range d.Candidates {
		if c.Model == id {
			return c
		}
	}
	t.Fatalf("no candidate %s in %+v", id, d.Candidates)
	return router.Candidate{}
}
