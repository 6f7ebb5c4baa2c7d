package models_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// OpenAI bills its Responses web_search tool at $10 per 1,000 calls on
// every model ("Web search (all models)" on its pricing page), and the
// older web_search_preview at $25 on a model without reasoning: gpt-4o's
// and gpt-4o-mini's searches are billed at each tool's price, not left
// unbilled for want of a price in OpenRouter's table.
func TestGPT4oModelsWebSearchesAreBilledAtEachToolsPrice(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	found := 0
	for _, m := range cat.Versions[0].Models {
		if m.ID != "gpt-4o-2024-11-20" && m.ID != "gpt-4o-mini-2024-07-18" {
			continue
		}
		found++
		assert.InDelta(t, 10, m.WebSearchPer1K, 1e-9, "%s web_search", m.ID)
		assert.InDelta(t, 25, m.WebSearchPreviewPer1K, 1e-9, "%s web_search_preview", m.ID)
	}
	assert.Equal(t, 2, found, "gpt-4o and gpt-4o-mini are in the latest catalog version")
}
