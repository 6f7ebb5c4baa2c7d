package router_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// GPT-5's 400K window is input and output together: OpenAI refuses more
// than 272,000 input tokens ("Input tokens exceed the configured limit of
// 272,000 tokens"), as the catalog's own note says ("272K input + 128K
// output"), so a 300K-token prompt leaves the GPT-5 models out (their 400
// would reach the client without failover) and keeps gpt-4.1 (1M window).
func TestGPT5InputLimit(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	pred := router.Prediction{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			pred[m.Profile] = router.Estimate{Quality: 0.8, OutputTokens: 100}
		}
	}
	r, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}})
	require.NoError(t, err)
	for _, id := range []string{"gpt-5-2025-08-07", "gpt-5-mini-2025-08-07", "gpt-5-nano-2025-08-07"} {
		_, err = r.Decide(context.Background(), router.Deployment{Name: "model-router"}, router.Request{
			Prompt: "x", Needs: router.Needs{InputTokens: 300_000}, Models: []string{id},
		})
		assert.Error(t, err, "%s kept eligible for a 300,000-token prompt", id)
		assert.Contains(t, err.Error()+describe(err), "input limit 272000 tokens < prompt 300000")
	}
	d, err := r.Decide(context.Background(), router.Deployment{Name: "model-router"}, router.Request{
		Prompt: "x", Needs: router.Needs{InputTokens: 300_000}, Models: []string{"gpt-5-2025-08-07", "gpt-4.1-2025-04-14"},
	})
	require.NoError(t, err)
	assert.Equal(t, "gpt-4.1-2025-04-14", d.ChosenID, "the 1M window takes it")
}

// describe lists a no_eligible error's reasons.
func describe(err error) string {
	var re *router.Error
	if !errors.As(err, &re) {
		return ""
	}
	cands, _ := re.Detail.([]router.Candidate)
	var out string
	for _, c := range cands {
		out += " " + c.Reason
	}
	return out
}
