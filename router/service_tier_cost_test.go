package router_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// gpt5Tiers has gpt-5's standard prices and those OpenAI bills for its
// flex (half) and priority (twice) processing.
var gpt5Tiers = router.Model{ID: "gpt-5", InputPerMTok: 1.25, OutputPerMTok: 10, CachedInputPerMTok: 0.125,
	ServiceTiers: map[string]router.TierPrices{
		"flex":     {InputPerMTok: 0.625, OutputPerMTok: 5, CachedInputPerMTok: 0.0625},
		"priority": {InputPerMTok: 2.5, OutputPerMTok: 20, CachedInputPerMTok: 0.25},
	}}

func TestAnAnswerIsBilledAtTheServiceTierThatServedIt(t *testing.T) {
	base := router.Usage{PromptTokens: 10_000, CachedTokens: 4000, CompletionTokens: 1000}
	at := func(tier string) router.Usage { u := base; u.ServiceTier = tier; return u }
	tests := []struct {
		name  string
		usage router.Usage
		want  float64 // USD
	}{
		{"no tier said: the standard prices", base, (6000*1.25 + 4000*0.125 + 1000*10) / 1e6},
		{"default: the standard prices", at("default"), (6000*1.25 + 4000*0.125 + 1000*10) / 1e6},
		{"flex: its prices, about half", at("flex"), (6000*0.625 + 4000*0.0625 + 1000*5) / 1e6},
		{"priority: its prices, about twice", at("priority"), (6000*2.5 + 4000*0.25 + 1000*20) / 1e6},
		{"a tier the model has no prices for: the standard prices", at("scale"), (6000*1.25 + 4000*0.125 + 1000*10) / 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, tt.usage.Cost(gpt5Tiers), 1e-12)
		})
	}
}

func TestATierWithoutACachePriceBillsCachedTokensAtItsInputPrice(t *testing.T) {
	m := gpt5Tiers
	m.ServiceTiers = map[string]router.TierPrices{"priority": {InputPerMTok: 2.5, OutputPerMTok: 20}}
	u := router.Usage{PromptTokens: 1000, CachedTokens: 1000, ServiceTier: "priority"}
	assert.InDelta(t, 1000*2.5/1e6, u.Cost(m), 1e-12)
}

// The router weighs each model at the tier it will be served at. gpt-5
// takes flex: a flex call prices it at its flex prices, half its standard
// ones, which make it cheaper than other ($1 in, $8 out per million),
// the cheaper at the standard tier, and Cost mode picks it. other does
// not take flex: the gateway sends it the call without the tier, so it is
// weighed, as it is billed, at its standard prices, whatever flex prices
// it lists. A priority call prices gpt-5 at its priority prices, and other,
// which has none, at its standard ones.
func TestTheServiceTierAskedForChangesTheCheapestModel(t *testing.T) {
	gpt5 := gpt5Tiers
	gpt5.Format, gpt5.Profile, gpt5.Capabilities = "OpenAI", "p-gpt5", router.Capabilities{Flex: true}
	other := router.Model{ID: "other", Format: "OpenAI", Profile: "p-other", InputPerMTok: 1, OutputPerMTok: 8,
		ServiceTiers: map[string]router.TierPrices{"flex": {InputPerMTok: 0.1, OutputPerMTok: 0.8}}}
	cat := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{gpt5, other}}}}
	pred := router.Prediction{"p-gpt5": {Quality: 0.8, OutputTokens: 100}, "p-other": {Quality: 0.8, OutputTokens: 100}}
	r := newRouter(t, router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}})
	dep := router.Deployment{Name: "d", Mode: router.ModeCost}
	otherStandard := (1000*1.0 + 100*8) / 1e6

	tests := []struct {
		tier, chosen string
		gpt5         float64 // gpt-5's expected cost, USD
	}{
		{"", "other", (1000*1.25 + 100*10) / 1e6},
		{"auto", "other", (1000*1.25 + 100*10) / 1e6},
		{"flex", "gpt-5", (1000*0.625 + 100*5) / 1e6},
		{"priority", "other", (1000*2.5 + 100*20) / 1e6},
	}
	for _, tt := range tests {
		t.Run("tier "+tt.tier, func(t *testing.T) {
			d, err := r.Decide(context.Background(), dep, router.Request{Needs: router.Needs{InputTokens: 1000, ServiceTier: tt.tier}})
			require.NoError(t, err)
			assert.Equal(t, tt.chosen, d.ChosenID)
			assert.InDelta(t, tt.gpt5, candidate(t, d, "gpt-5").ExpectedCost, 1e-12)
			assert.InDelta(t, otherStandard, candidate(t, d, "other").ExpectedCost, 1e-12)
		})
	}
}

// OpenAI serves a priority call whose prompt is over 128K tokens to gpt-5
// at its standard tier. The router's expected cost, and the tier an
// answer that names none is billed at, price such a prompt at the
// standard prices, and a prompt up to the limit at the priority ones;
// an answer that names its tier is billed at that tier's prices whatever
// its prompt, as OpenAI decides by its own estimate and bills the tier it
// names.
func TestAPromptLongerThanTheTierServesIsPricedAtTheStandardTier(t *testing.T) {
	gpt5 := gpt5Tiers
	gpt5.Format, gpt5.Profile = "OpenAI", "p-gpt5"
	gpt5.ServiceTiers = map[string]router.TierPrices{
		"priority": {InputPerMTok: 2.5, OutputPerMTok: 20, CachedInputPerMTok: 0.25, MaxInputTokens: 128_000},
	}
	cat := router.Catalog{Latest: "v1", Versions: []router.Version{{Version: "v1", Models: []router.Model{gpt5}}}}
	pred := router.Prediction{"p-gpt5": {Quality: 0.8, OutputTokens: 100}}
	r := newRouter(t, router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: pred}})
	dep := router.Deployment{Name: "d", Mode: router.ModeCost}

	tests := []struct {
		name    string
		prompt  int
		served  string  // the tier an answer that names none was served at
		in, out float64 // prices per 1M tokens
	}{
		{"at the limit: priority", 128_000, "priority", 2.5, 20},
		{"past the limit: standard", 128_001, "", 1.25, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			needs := router.Needs{InputTokens: tt.prompt, ServiceTier: "priority"}
			assert.Equal(t, tt.served, needs.ServedTier(gpt5))
			d, err := r.Decide(context.Background(), dep, router.Request{Needs: needs})
			require.NoError(t, err)
			assert.InDelta(t, (float64(tt.prompt)*tt.in+100*tt.out)/1e6, candidate(t, d, "gpt-5").ExpectedCost, 1e-12, "expected cost")

			u := router.Usage{PromptTokens: tt.prompt, CachedTokens: 1000, CompletionTokens: 100, ServiceTier: "priority"}
			assert.InDelta(t, (float64(tt.prompt-1000)*2.5+1000*0.25+100*20)/1e6, u.Cost(gpt5), 1e-12, "an answer that says priority served it")
			u.ServiceTier = "default"
			assert.InDelta(t, (float64(tt.prompt-1000)*1.25+1000*0.125+100*10)/1e6, u.Cost(gpt5), 1e-12, "one that says default")
		})
	}
}
