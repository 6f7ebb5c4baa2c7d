package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
)

// The no_eligible message names the models the request was routed among:
// the deployment's, the client's routing_config.models, or those a caller
// narrowed it to for a reason of its own.
func TestNoEligibleSaysWhichModelsWereConsidered(t *testing.T) {
	r := newRouter(t, router.Config{})
	tools := router.Needs{Tools: true}
	for _, tt := range []struct {
		req  router.Request
		want string
	}{
		{router.Request{Needs: tools, Models: []string{"weak"}}, "no model in routing_config.models can serve this request: weak (no tool support)"},
		{router.Request{Needs: tools, Models: []string{"weak"}, ModelsScope: `named by "model"`}, `no model named by "model" can serve this request: weak (no tool support)`},
		{router.Request{Needs: router.Needs{InputTokens: 5000}}, "no model in the deployment can serve this request"},
	} {
		tt.req.Prompt = "x"
		_, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, tt.req)
		assert.Equal(t, router.ENoEligible, router.ErrorCode(err))
		assert.ErrorContains(t, err, tt.want)
	}
}
