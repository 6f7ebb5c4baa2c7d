package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Claude Sonnet 4.5 with the 1M-context beta bills a call whose prompt,
// cache reads and writes included, is over 200K tokens at its long-context
// prices, output included. The gateway's estimate of a prompt can fall
// short of Anthropic's count; the decision log and the key's budget bill
// what Anthropic reports, on a Messages call passed through and a Chat
// Completions one translated, streamed or not.
func TestClaudesLongPromptIsBilledAtItsLongContextPrices(t *testing.T) {
	spent := &spendRecorder{}
	e := newE2E(t, func(c *Config) {
		c.Budgets = spent
		cat := testCatalog()
		for i, m := range cat.Versions[0].Models {
			if m.ID == "claude" {
				m.LongContext = &router.LongContextPrices{AboveInputTokens: 200_000, InputPerMTok: 6, OutputPerMTok: 22.5,
					CachedInputPerMTok: 0.6, CacheWritePerMTok: 7.5, CacheWrite1hPerMTok: 12}
				cat.Versions[0].Models[i] = m
			}
		}
		rt, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available})
		require.NoError(t, err)
		c.Router = rt
	})
	// 250,000 read from the cache beside the 6 words of input_tokens.
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Paris is the capital.", CachedTokens: 250_000})
	askClaudeOnEveryPath(t, e, false)

	want := (6*6 + 250_000*0.6 + 4*22.5) / 1e6
	total := 0.0
	for _, r := range e.log.waitFor(t, 4) {
		require.Equal(t, "claude", r.Answered, "%s stream=%t", r.API, r.Stream)
		require.Equal(t, 250_006, r.Usage.PromptTokens)
		assert.InDelta(t, want, r.CostUSD, 1e-12, "%s stream=%t: not the $0.075078 of the base prices", r.API, r.Stream)
		total += r.CostUSD
	}
	assert.InDelta(t, total, spent.total(), 1e-12, "the key's budget is spent what the log says the calls cost")
}
