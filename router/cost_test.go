package router_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
)

// claudeSonnet has Claude Sonnet 4.5's prices: cache reads a tenth of the
// input price, cache writes a quarter above it, twice it for an hour.
var claudeSonnet = router.Model{ID: "claude-sonnet-4-5", InputPerMTok: 3, OutputPerMTok: 15,
	CachedInputPerMTok: 0.3, CacheWritePerMTok: 3.75, CacheWrite1hPerMTok: 6}

// gpt41Search has gpt-4.1's prices and OpenAI's for its searches: $10
// per 1,000 for the web_search tool, $25 for web_search_preview, which
// OpenAI bills models without reasoning at apart.
var gpt41Search = router.Model{ID: "gpt-4.1", InputPerMTok: 2, OutputPerMTok: 8, WebSearchPer1K: 10, WebSearchPreviewPer1K: 25}

func TestCostBillsCachedPromptTokensAtCachePrices(t *testing.T) {
	tests := []struct {
		name  string
		model router.Model
		usage router.Usage
		want  float64 // USD
	}{
		{"no cache", claudeSonnet, router.Usage{PromptTokens: 1000, CompletionTokens: 100},
			(1000*3 + 100*15) / 1e6},
		{"cache reads at the cached price", claudeSonnet, router.Usage{PromptTokens: 10_000, CachedTokens: 9_000, CompletionTokens: 100},
			(1000*3 + 9000*0.3 + 100*15) / 1e6},
		{"cache writes at the write price", claudeSonnet, router.Usage{PromptTokens: 10_000, CacheWriteTokens: 9_000, CompletionTokens: 100},
			(1000*3 + 9000*3.75 + 100*15) / 1e6},
		{"reads and writes together", claudeSonnet, router.Usage{PromptTokens: 10_000, CachedTokens: 6_000, CacheWriteTokens: 3_000, CompletionTokens: 100},
			(1000*3 + 6000*0.3 + 3000*3.75 + 100*15) / 1e6},
		{"1-hour cache writes at their price", claudeSonnet, router.Usage{PromptTokens: 10_000, CacheWriteTokens: 9_000, CacheWrite1hTokens: 6_000, CompletionTokens: 100},
			(1000*3 + 3000*3.75 + 6000*6 + 100*15) / 1e6},
		{"1-hour cache writes at the write price where the model has no 1-hour price", router.Model{InputPerMTok: 3, OutputPerMTok: 15, CacheWritePerMTok: 3.75},
			router.Usage{PromptTokens: 10_000, CacheWriteTokens: 9_000, CacheWrite1hTokens: 6_000, CompletionTokens: 100},
			(1000*3 + 9000*3.75 + 100*15) / 1e6},
		{"more 1-hour writes than writes bill no more than the writes", claudeSonnet, router.Usage{PromptTokens: 10_000, CacheWriteTokens: 1_000, CacheWrite1hTokens: 5_000},
			(9000*3 + 1000*6) / 1e6},
		{"reasoning tokens are part of the output, not added", claudeSonnet, router.Usage{PromptTokens: 1000, CompletionTokens: 100, ReasoningTokens: 60},
			(1000*3 + 100*15) / 1e6},
		{"a model without cache prices bills cached tokens as input", router.Model{InputPerMTok: 1.23, OutputPerMTok: 4.94},
			router.Usage{PromptTokens: 10_000, CachedTokens: 9_000, CacheWriteTokens: 500, CompletionTokens: 100},
			(10_000*1.23 + 100*4.94) / 1e6},
		{"web searches at their price per search, beside the tokens", router.Model{InputPerMTok: 3, OutputPerMTok: 15, WebSearchPer1K: 10},
			router.Usage{PromptTokens: 1000, CompletionTokens: 100, WebSearches: 3},
			(1000*3+100*15)/1e6 + 3*0.01},
		{"web searches cost nothing apart where the model has no search price", claudeSonnet, router.Usage{PromptTokens: 1000, WebSearches: 3},
			1000 * 3 / 1e6},
		{"web_search_preview searches at its price where the model has one", gpt41Search,
			router.Usage{PromptTokens: 1000, CompletionTokens: 100, WebSearches: 3, WebSearchPreview: true},
			(1000*2+100*8)/1e6 + 3*0.025},
		{"web_search searches at the web search price beside a preview price", gpt41Search,
			router.Usage{PromptTokens: 1000, CompletionTokens: 100, WebSearches: 3},
			(1000*2+100*8)/1e6 + 3*0.01},
		{"web_search_preview searches at the web search price where the model has no preview price", router.Model{InputPerMTok: 2, OutputPerMTok: 8, WebSearchPer1K: 10},
			router.Usage{PromptTokens: 1000, CompletionTokens: 100, WebSearches: 3, WebSearchPreview: true},
			(1000*2+100*8)/1e6 + 3*0.01},
		{"more cached tokens than prompt tokens bill no more than the prompt", claudeSonnet, router.Usage{PromptTokens: 1000, CachedTokens: 5000, CacheWriteTokens: 5000},
			1000 * 0.3 / 1e6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, tt.usage.Cost(tt.model), 1e-12)
		})
	}
}
