package models_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
)

// A model that takes service_tier flex gets flex calls, and OpenAI bills
// its flex answers at about half the standard prices: each such model has
// its flex prices in the catalog, so a flex answer is billed, and weighed
// at routing, at what it costs rather than at twice that.
func TestEveryModelThatTakesFlexIsPricedAtFlex(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, m := range cat.Versions[0].Models {
		if !m.Capabilities.Flex {
			continue
		}
		require.Contains(t, m.ServiceTiers, "flex", "%s takes flex", m.ID)
		flex := m.PricedAtTier("flex")
		assert.InDelta(t, m.InputPerMTok/2, flex.InputPerMTok, 1e-9, "%s flex input price", m.ID)
		assert.InDelta(t, m.OutputPerMTok/2, flex.OutputPerMTok, 1e-9, "%s flex output price", m.ID)
		assert.InDelta(t, m.CachedInputPerMTok/2, flex.CachedInputPerMTok, 1e-9, "%s flex cached input price", m.ID)
	}
}
