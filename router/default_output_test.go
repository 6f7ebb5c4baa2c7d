package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
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
