package eval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// The evaluation's policy must pick what the gateway's router picks.
func TestChooseMatchesRouterDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 2 + rng.IntN(5)
		var models []router.Model
		pred := router.Prediction{}
		q, c := make([]float64, n), make([]float64, n)
		inTok := 50 + rng.IntN(2000)
		for j := range n {
			m := router.Model{Format: "OpenAI", Name: fmt.Sprintf("m%d", j), ID: fmt.Sprintf("m%d", j), Profile: fmt.Sprintf("p%d", j),
				InputPerMTok: float64(rng.IntN(4)), OutputPerMTok: float64(rng.IntN(4))}
			models = append(models, m)
			// Coarse values so ties in quality and cost happen.
			e := router.Estimate{Quality: float64(rng.IntN(20)) / 20, OutputTokens: float64(100 * rng.IntN(4))}
			pred[m.Profile] = e
			q[j], c[j] = e.Quality, router.ExpectedCost(m, inTok, e.OutputTokens)
		}
		bands := router.Bands{Balanced: []float64{0.01, 0.02, 0.1}[trial%3], Cost: []float64{0.06, 0.3, 1}[trial%3]}
		r, err := router.New(router.Config{
			Catalog:   router.Catalog{Versions: []router.Version{{Version: "v", Models: models}}, Latest: "v"},
			Predictor: &routertest.Predictor{Fixed: pred},
			Bands:     bands,
		})
		require.NoError(t, err)
		for _, mode := range router.Modes {
			d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: mode}, router.Request{Prompt: "x", Needs: router.Needs{InputTokens: inTok}})
			require.NoError(t, err)
			got := choose(q, c, bands.Band(mode))
			require.Equal(t, d.ChosenID, models[got].ID, "trial %d mode %s q=%v c=%v", trial, mode, q, c)
		}
	}
}
