package models_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// OpenAI sells o4-mini at its priority tier ($2.00 input, $0.50 cached
// input, $8.00 output per 1M tokens on its Priority processing page,
// openai.com/api-priority-processing), so an o4-mini answer served at
// priority is billed at those prices, not at the standard $1.10 / $0.275
// / $4.40, which would spend about half of what it cost from a key's
// budget.
func TestO4MinisPriorityAnswersAreBilledAtItsPriorityPrices(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	found := false
	for _, m := range cat.Versions[0].Models {
		if m.ID != "o4-mini-2025-04-16" {
			continue
		}
		found = true
		u := router.Usage{PromptTokens: 1_000_000, CachedTokens: 500_000, CompletionTokens: 1_000_000, ServiceTier: "priority"}
		assert.InDelta(t, 0.5*2.00+0.5*0.50+8.00, u.Cost(m), 1e-9, "priority: 0.5M input, 0.5M cached, 1M output")
		u.ServiceTier = "default"
		assert.InDelta(t, 0.5*1.10+0.5*0.275+4.40, u.Cost(m), 1e-9, "the standard tier keeps the standard prices")
	}
	assert.True(t, found, "o4-mini is in the latest catalog version")
}
