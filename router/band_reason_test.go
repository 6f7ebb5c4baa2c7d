package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// The chosen model's reason names the band the mode applied, as
// router.json gives it: Cost's 0.105 is 10.5 %, not a rounded 10 %, and a
// best quality of 0 leaves the band what it is instead of reading as
// 100 %.
func TestChosenReasonNamesTheBandApplied(t *testing.T) {
	tests := []struct {
		name string
		mode router.Mode
		q    float64
		want string
	}{
		{"cost band with a half percent", router.ModeCost, 0.8,
			"chosen: cheapest with predicted quality >= 0.716 (cost band 10.5% below best 0.800)"},
		{"balanced band", router.ModeBalanced, 0.9,
			"chosen: cheapest with predicted quality >= 0.873 (balanced band 3% below best 0.900)"},
		{"best quality 0", router.ModeBalanced, 0,
			"chosen: cheapest with predicted quality >= 0.000 (balanced band 3% below best 0.000)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := router.New(router.Config{
				Catalog:   router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: []router.Model{logicModel("a", 1, 1)}}}},
				Predictor: &routertest.Predictor{Fixed: router.Prediction{"p-a": {Quality: tc.q, OutputTokens: 100}}},
				Bands:     router.Bands{Balanced: 0.03, Cost: 0.105},
			})
			require.NoError(t, err)
			d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: tc.mode}, router.Request{})
			require.NoError(t, err)
			assert.Equal(t, tc.want, d.Candidates[0].Reason)
		})
	}
}
