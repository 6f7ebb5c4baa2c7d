package router_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// bandsRouter routes over a (0.90, $10/M) and b (0.89, $1/M): within any
// band of 2 % or more b wins on cost, with band 0 only a is in it.
func bandsRouter(t *testing.T, bands router.Bands) (*router.Router, error) {
	t.Helper()
	return router.New(router.Config{
		Catalog: router.Catalog{Latest: "v", Versions: []router.Version{{Version: "v", Models: []router.Model{logicModel("a", 10, 10), logicModel("b", 1, 1)}}}},
		Predictor: &routertest.Predictor{Fixed: router.Prediction{
			"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.89, OutputTokens: 100}}},
		Bands: bands,
	})
}

// card reads bands as a router model's card (router.json) gives them.
func card(t *testing.T, js string) router.Bands {
	t.Helper()
	var c struct {
		Bands router.Bands `json:"bands"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &c))
	return c.Bands
}

// Calibration chooses each band on a grid that starts at 0, so a card may
// give 0 for both modes (no band above 0 kept the quality loss within its
// limit): those are the bands served, not DefaultBands, which apply when
// the card gives none.
func TestACardsBandsOfZeroAreTheBandsServed(t *testing.T) {
	r, err := bandsRouter(t, card(t, `{"bands": {"balanced": 0, "cost": 0}}`))
	require.NoError(t, err)
	assert.Equal(t, 0.0, r.Bands().Balanced)
	assert.Equal(t, 0.0, r.Bands().Cost)
	for _, mode := range []router.Mode{router.ModeBalanced, router.ModeCost} {
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: mode}, router.Request{})
		require.NoError(t, err)
		assert.Equal(t, "a", d.ChosenID, "%s with band 0 picks among the models predicted best", mode)
		assert.Equal(t, 0.90, d.Threshold, mode)
	}

	// So does a reload to such a model.
	r, err = bandsRouter(t, router.Bands{Balanced: 0.02, Cost: 0.06})
	require.NoError(t, err)
	require.NoError(t, r.Reload(r.Catalog(), &routertest.Predictor{Fixed: router.Prediction{
		"p-a": {Quality: 0.90, OutputTokens: 100}, "p-b": {Quality: 0.89, OutputTokens: 100}}},
		card(t, `{"bands": {"balanced": 0, "cost": 0}}`), "zero"))
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: router.ModeCost}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "a", d.ChosenID)
}

// A card without bands (or with null, or an object naming neither band)
// gets DefaultBands.
func TestACardWithoutBandsGetsTheDefaults(t *testing.T) {
	for _, js := range []string{`{}`, `{"bands": null}`, `{"bands": {}}`} {
		r, err := bandsRouter(t, card(t, js))
		require.NoError(t, err)
		assert.Equal(t, router.DefaultBands.Balanced, r.Bands().Balanced, js)
		assert.Equal(t, router.DefaultBands.Cost, r.Bands().Cost, js)
	}
}

// Calibration writes both bands; a card that names one without the other
// is refused when it is read (the router model is not loaded), rather than
// serving the other mode at a default chosen for another router model.
func TestACardGivingOneBandWithoutTheOtherIsRefused(t *testing.T) {
	for _, tt := range []struct{ js, missing string }{
		{`{"bands": {"balanced": 0.03}}`, "cost"},
		{`{"bands": {"cost": 0}}`, "balanced"},
		{`{"bands": {"balanced": 0.03, "cost": null}}`, "cost"},
	} {
		var c struct {
			Bands router.Bands `json:"bands"`
		}
		err := json.Unmarshal([]byte(tt.js), &c)
		require.Error(t, err, tt.js)
		assert.Contains(t, err.Error(), "bands name no "+tt.missing, tt.js)
	}
}

// A band is the fraction of q* a pick may lose: below 0 no model, not
// even the best, is in the band, and the chosen model's reason would name
// a threshold it does not reach; above 1 the threshold is below 0. Such a
// router model is refused when it is loaded, and a reload to it keeps
// the model in use.
func TestABandOutsideZeroToOneIsRefused(t *testing.T) {
	for _, b := range []router.Bands{{Balanced: -0.5, Cost: 0.06}, {Balanced: 0.02, Cost: 1.5}, {Balanced: math.NaN(), Cost: 0.06}} {
		_, err := bandsRouter(t, b)
		require.Error(t, err, "%+v", b)
		assert.Contains(t, err.Error(), "outside [0, 1]")
	}
	_, err := bandsRouter(t, router.Bands{Balanced: 0.02, Cost: 1})
	assert.NoError(t, err, "band 1: any quality will do")

	r, err := bandsRouter(t, router.Bands{Balanced: 0.02, Cost: 0.06})
	require.NoError(t, err)
	err = r.Reload(r.Catalog(), &routertest.Predictor{}, router.Bands{Balanced: -1, Cost: 0.06}, "bad")
	require.Error(t, err)
	assert.Equal(t, 0.02, r.Bands().Balanced)
}
