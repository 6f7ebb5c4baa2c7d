package router_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A new router model can predict a catalog model with a profile of its
// own, and changes levels and bands: after Reload, decisions use all of it.
func TestReloadSwitchesTheRouterModel(t *testing.T) {
	r := newRouter(t, router.Config{RouterModel: "v-old"})
	ctx := context.Background()
	dep := router.Deployment{Name: "d", Mode: router.ModeQuality}
	d, err := r.Decide(ctx, dep, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "strong", d.ChosenID)
	assert.Equal(t, "v-old", d.RouterModel)

	// The new model has a profile of mid's own that rates it above strong.
	cat := testCatalog()
	for i := range cat.Versions {
		for j := range cat.Versions[i].Models {
			if cat.Versions[i].Models[j].ID == "mid" {
				cat.Versions[i].Models[j].Profile = "mid"
			}
		}
	}
	pred := router.Prediction{"mid": {Quality: 0.95, OutputTokens: 100}}
	for k, v := range fixed {
		pred[k] = v
	}
	bands := router.Bands{Balanced: 0.01, Cost: 0.2}
	require.NoError(t, r.Reload(cat, &routertest.Predictor{Fixed: pred}, bands, "v-new"))

	d, err = r.Decide(ctx, dep, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "mid", d.ChosenID)
	assert.Equal(t, "v-new", d.RouterModel)
	assert.Equal(t, "v-new", r.RouterModel())
	assert.Equal(t, bands, r.Bands())
	models, err := r.Candidates(router.Deployment{})
	require.NoError(t, err)
	for _, m := range models {
		if m.ID == "mid" {
			assert.Equal(t, "mid", m.Profile)
		}
	}
}

func TestAFailedReloadKeepsTheModel(t *testing.T) {
	r := newRouter(t, router.Config{RouterModel: "v-old"})
	assert.ErrorContains(t, r.Reload(testCatalog(), nil, router.Bands{}, "v-new"), "no predictor")
	assert.ErrorContains(t, r.Reload(router.Catalog{}, &routertest.Predictor{Fixed: fixed}, router.Bands{}, "v-new"), "empty catalog")
	assert.Equal(t, "v-old", r.RouterModel())
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{})
	require.NoError(t, err)
	assert.Equal(t, "v-old", d.RouterModel)
}

func TestReloadKeepsSessionPins(t *testing.T) {
	r := newRouter(t, router.Config{})
	r.Pin("d", "s1", "weak")
	require.NoError(t, r.Reload(testCatalog(), &routertest.Predictor{Fixed: fixed}, router.Bands{}, "v-new"))
	d, err := r.Decide(context.Background(), router.Deployment{Name: "d"}, router.Request{SessionKey: "s1"})
	require.NoError(t, err)
	assert.Equal(t, "weak", d.ChosenID)
	assert.True(t, d.Affinity)
}

// Decisions and reloads at once (run with -race): every decision is made
// by one whole router model, never a mix.
func TestDecideDuringReload(t *testing.T) {
	r := newRouter(t, router.Config{RouterModel: "a"})
	predA := &routertest.Predictor{Fixed: fixed}
	predB := &routertest.Predictor{Fixed: router.Prediction{"p-strong": {Quality: 0.1, OutputTokens: 1}, "p-mid": {Quality: 0.9, OutputTokens: 1},
		"p-weak": {Quality: 0.1, OutputTokens: 1}, "p-think": {Quality: 0.1, OutputTokens: 1}, "p-claude": {Quality: 0.1, OutputTokens: 1}}}
	dep := router.Deployment{Name: "d", Mode: router.ModeQuality}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				d, err := r.Decide(context.Background(), dep, router.Request{})
				if !assert.NoError(t, err) {
					return
				}
				want := map[string]string{"a": "strong", "b": "mid"}[d.RouterModel]
				assert.Equal(t, want, d.ChosenID, "worker %d, model %s", w, d.RouterModel)
			}
		}()
	}
	for i := range 100 {
		pred, name := router.Predictor(predA), "a"
		if i%2 == 0 {
			pred, name = predB, "b"
		}
		require.NoError(t, r.Reload(testCatalog(), pred, router.Bands{}, name))
	}
	wg.Wait()
}

// A router model is closed once Reload replaced it and its running
// predictions ended. A decision that took it just before the switch and
// reaches its prediction after the close is made again, whole, by the new
// model, instead of failing the call.
func TestADecisionWhoseModelIsClosedMidwayIsMadeByTheNewModel(t *testing.T) {
	reached, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	old := &routertest.Predictor{Fixed: fixed}
	r := newRouter(t, router.Config{RouterModel: "v-old", Predictor: old, Available: func(router.Model) string {
		// Candidates are checked after the decision took its router
		// model and before it predicts.
		first.Do(func() { close(reached); <-release })
		return ""
	}})
	decided := make(chan router.Decision, 1)
	failed := make(chan error, 1)
	go func() {
		d, err := r.Decide(context.Background(), router.Deployment{Name: "d", Mode: router.ModeQuality}, router.Request{})
		if err != nil {
			failed <- err
			return
		}
		decided <- d
	}()
	<-reached
	require.NoError(t, r.Reload(testCatalog(), &routertest.Predictor{Fixed: fixed}, router.Bands{}, "v-new"))
	old.Err = errors.New("router model is closed")
	close(release)
	select {
	case err := <-failed:
		t.Fatalf("the decision failed: %v", err)
	case d := <-decided:
		assert.Equal(t, "v-new", d.RouterModel)
		assert.Equal(t, "strong", d.ChosenID)
	}
}
