package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// sonnetLong has Claude Sonnet 4.5's prices with its 1M-context tier: past
// 200K prompt tokens Anthropic bills the whole call at 2x the input and
// cache prices and 1.5x the output price.
var sonnetLong = router.Model{ID: "sonnet", Format: "Anthropic", Profile: "p-sonnet",
	InputPerMTok: 3, OutputPerMTok: 15, CachedInputPerMTok: 0.3, CacheWritePerMTok: 3.75, CacheWrite1hPerMTok: 6,
	LongContext: &router.LongContextPrices{AboveInputTokens: 200_000, InputPerMTok: 6, OutputPerMTok: 22.5,
		CachedInputPerMTok: 0.6, CacheWritePerMTok: 7.5, CacheWrite1hPerMTok: 12},
	ContextWindow: 1_000_000, MaxOutput: 64_000}

func TestAPromptPastTheLongContextThresholdIsBilledAtItsPrices(t *testing.T) {
	tests := []struct {
		name  string
		usage router.Usage
		want  float64 // USD
	}{
		{"at the threshold, the base prices", router.Usage{PromptTokens: 200_000, CompletionTokens: 1000},
			(200_000*3 + 1000*15) / 1e6},
		{"past it, every token of the call at the tier's", router.Usage{PromptTokens: 200_001, CompletionTokens: 1000},
			(200_001*6 + 1000*22.5) / 1e6},
		// Anthropic counts the cache reads and writes toward the threshold.
		{"cache reads and writes count toward it and are billed at the tier's cache prices",
			router.Usage{PromptTokens: 250_000, CachedTokens: 150_000, CacheWriteTokens: 60_000, CacheWrite1hTokens: 20_000, CompletionTokens: 1000},
			(40_000*6 + 150_000*0.6 + 40_000*7.5 + 20_000*12 + 1000*22.5) / 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, tt.usage.Cost(sonnetLong), 1e-12)
		})
	}
}

// The router weighs what a long prompt will be billed: with a 100K-token
// prompt Sonnet at $3/M is cheaper than a model at $4/M, with a 300K-token
// one its tier's $6/M makes it the dearer, and Cost mode picks the other.
func TestTheLongContextTierChangesTheCheapestModel(t *testing.T) {
	other := router.Model{ID: "other", Format: "OpenAI", Profile: "p-other", InputPerMTok: 4, OutputPerMTok: 15,
		ContextWindow: 1_000_000, MaxOutput: 64_000}
	cat := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{sonnetLong, other}}}}
	pred := router.Prediction{"p-sonnet": {Quality: 0.8, OutputTokens: 100}, "p-other": {Quality: 0.8, OutputTokens: 100}}
	r := newRouter(t, router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}})
	dep := router.Deployment{Name: "d", Mode: router.ModeCost}

	d, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 100_000}})
	require.NoError(t, err)
	assert.Equal(t, "sonnet", d.ChosenID)
	assert.InDelta(t, (100_000*3+100*15)/1e6, candidate(t, d, "sonnet").ExpectedCost, 1e-12)

	d, err = r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 300_000}})
	require.NoError(t, err)
	assert.Equal(t, "other", d.ChosenID, "not Sonnet priced at $3/M for a prompt Anthropic bills at $6/M")
	assert.InDelta(t, (300_000*6+100*22.5)/1e6, candidate(t, d, "sonnet").ExpectedCost, 1e-12)
	assert.InDelta(t, (300_000*4+100*15)/1e6, candidate(t, d, "other").ExpectedCost, 1e-12)
}
