package models_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// OpenAI sells these models at its priority tier, at the prices its
// Priority processing page lists (openai.com/api-priority-processing), so
// an answer served at priority is billed at those prices, not at the
// standard ones, which would spend about half of what it cost from a
// key's budget.
func TestPriorityAnswersAreBilledAtOpenAIsPriorityPrices(t *testing.T) {
	type prices struct{ in, cached, out float64 }
	cases := []struct {
		id                 string
		standard, priority prices
	}{
		{"gpt-4o-2024-11-20", prices{2.50, 1.25, 10.00}, prices{4.25, 2.125, 17.00}},
		{"gpt-4o-mini-2024-07-18", prices{0.15, 0.075, 0.60}, prices{0.25, 0.125, 1.00}},
		{"gpt-4.1-2025-04-14", prices{2.00, 0.50, 8.00}, prices{3.50, 0.875, 14.00}},
		{"gpt-4.1-mini-2025-04-14", prices{0.40, 0.10, 1.60}, prices{0.70, 0.175, 2.80}},
		{"gpt-4.1-nano-2025-04-14", prices{0.10, 0.025, 0.40}, prices{0.20, 0.05, 0.80}},
		{"o4-mini-2025-04-16", prices{1.10, 0.275, 4.40}, prices{2.00, 0.50, 8.00}},
	}
	cat, err := models.Catalog()
	require.NoError(t, err)
	byID := map[string]router.Model{}
	for _, m := range cat.Versions[0].Models {
		byID[m.ID] = m
	}
	// 100K prompt tokens, within the 128K that gpt-4.1's priority tier
	// serves (TestALongPromptAtPriorityIsServedAtTheStandardTier).
	cost := func(p prices) float64 { return 0.05*p.in + 0.05*p.cached + 0.1*p.out }
	for _, c := range cases {
		m, ok := byID[c.id]
		if !assert.True(t, ok, "%s is in the latest catalog version", c.id) {
			continue
		}
		u := router.Usage{PromptTokens: 100_000, CachedTokens: 50_000, CompletionTokens: 100_000, ServiceTier: "priority"}
		assert.InDelta(t, cost(c.priority), u.Cost(m), 1e-9, "%s at priority: 50K input, 50K cached, 100K output", c.id)
		u.ServiceTier = "default"
		assert.InDelta(t, cost(c.standard), u.Cost(m), 1e-9, "%s: the standard tier keeps the standard prices", c.id)
	}
}

// OpenAI's Priority processing page lists gpt-4.1 and the GPT-5 models as
// excluding long context (requests estimated at over 128K prompt
// tokens), which Azure's Priority processing page says are served, and
// charged, at the standard tier: a priority call with a longer prompt is
// expected to be served, and is priced, at the standard tier, one within
// it at priority. gpt-4o and o4-mini are listed without that exclusion.
func TestALongPromptAtPriorityIsServedAtTheStandardTier(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	byID := map[string]router.Model{}
	for _, m := range cat.Versions[0].Models {
		byID[m.ID] = m
	}
	cases := []struct {
		id        string
		excluding bool
	}{
		{"gpt-4.1-2025-04-14", true},
		{"gpt-4.1-mini-2025-04-14", true},
		{"gpt-4.1-nano-2025-04-14", true},
		{"gpt-5-mini-2025-08-07", true},
		{"gpt-5-2025-08-07", true},
		{"gpt-5.2-2025-12-11", true},
		{"o4-mini-2025-04-16", false},
	}
	for _, c := range cases {
		m, ok := byID[c.id]
		if !assert.True(t, ok, "%s is in the latest catalog version", c.id) {
			continue
		}
		served := func(prompt int) string {
			return router.Needs{InputTokens: prompt, ServiceTier: "priority"}.ServedTier(m)
		}
		assert.Equal(t, "priority", served(128_000), "%s: 128K prompt tokens are served at priority", c.id)
		if c.excluding {
			assert.Equal(t, "", served(150_000), "%s: 150K prompt tokens are served at the standard tier", c.id)
		} else {
			assert.Equal(t, "priority", served(150_000), "%s: no long-context exclusion", c.id)
		}
	}
}
