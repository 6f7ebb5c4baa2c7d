package server

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// catalogPrediction is the shipped catalog with every model predicted
// alike (quality 0.5, 200 answer tokens): a test's route is settled by
// the models it names and by price, unless it raises one.
func catalogPrediction(t *testing.T) (router.Catalog, router.Prediction) {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	pred := router.Prediction{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			pred[m.Profile] = router.Estimate{Quality: 0.5, OutputTokens: 200}
		}
	}
	return cat, pred
}

// serveCatalog serves cat over the providers ps, reached on 127.0.0.1
// alone, routed by pred, with cfg's other settings (a recordLog where it
// has no Log); it returns the gateway's URL.
func serveCatalog(t *testing.T, cat router.Catalog, pred router.Prediction, ps upstream.Providers, cfg Config) string {
	t.Helper()
	rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}, Available: ps.Available})
	require.NoError(t, err)
	cfg.Router = rt
	cfg.Forwarder = &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second, Client: loopbackOnly()}
	cfg.Supports, cfg.Available = ps.Supports, ps.Available
	if cfg.Log == nil {
		cfg.Log = &recordLog{}
	}
	ts := httptest.NewServer(New(cfg).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}
