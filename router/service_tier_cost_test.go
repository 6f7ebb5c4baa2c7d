package router_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
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
