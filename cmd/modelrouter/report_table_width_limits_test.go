package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// README "Cost and savings report": "with the catalog's model names, a
// deployment name of up to 15 characters and under $10,000 a row each
// table fits a 120-column terminal". A negative saving (the router paid
// more than always-the-strongest would have: a pinned or affine model)
// is under $10,000 too, and its share of a small base is several digits.
func TestReportCostTableFitsWithANegativeSavingUnderTenThousandDollars(t *testing.T) {
	s, path := newLogStore(t)
	const model = "Llama-4-Maverick-17B-128E-Instruct-FP8"
	const deployment = "support-prod-eu" // 15 characters
	s.Log().Record(router.Record{
		RequestID: "r", Time: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
		Decision: router.Decision{Deployment: deployment, Mode: router.ModeBalanced, ChosenID: model,
			Candidates: []router.Candidate{
				{Model: model, Eligible: true, Quality: .5, ExpectedCost: 1500},
				{Model: "gpt-5", Eligible: true, Quality: .9, ExpectedCost: 15},
			}},
		Answered: model, Status: 200, Attempts: []router.Attempt{{Model: model, Status: 200}},
		Usage: router.Usage{PromptTokens: 100, CompletionTokens: 20}, CostUSD: 1500,
	})
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	tables, _, _ := strings.Cut(out, deployment+": best single model")
	assertFits120(t, tables)
}

// Token counts are rounded "only when exact ones would not fit". A count
// of four digits is narrower exact (1234) than rounded (1.23k): rounding
// it gains no room and hides a difference (prompt 1234 vs cached 1229,
// a cache that missed five tokens, both read "1.23k").
func TestReportTableKeepsCountsThatRoundingWouldWiden(t *testing.T) {
	s, path := newLogStore(t)
	const long = "Llama-4-Maverick-17B-128E-Instruct-FP8"
	rec := func(id, model string, u router.Usage) router.Record {
		return router.Record{
			RequestID: id, Time: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "model-router", Mode: router.ModeBalanced, ChosenID: model,
				Candidates: []router.Candidate{{Model: model, Eligible: true, Quality: .9, ExpectedCost: .01}}},
			Answered: model, Status: 200, Attempts: []router.Attempt{{Model: model, Status: 200}}, Usage: u, CostUSD: .01,
		}
	}
	// A busy model makes the exact table too wide, so it is rounded.
	s.Log().Record(rec("busy", long, router.Usage{PromptTokens: 123_456_789_012, CompletionTokens: 98_765_432_109, ReasoningTokens: 87_654_321_098, CachedTokens: 76_543_210_987}))
	s.Log().Record(rec("small", "gpt-5-nano", router.Usage{PromptTokens: 1234, CompletionTokens: 10, CachedTokens: 1229}))
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	require.Contains(t, out, "rounded", "the table was rounded")
	line := ""
	for l := range strings.Lines(out) {
		if strings.Contains(l, "gpt-5-nano") {
			line = l
			break
		}
	}
	require.NotEmpty(t, line)
	fields := strings.Fields(line)
	prompt, cached := fields[len(fields)-4], fields[len(fields)-1]
	assert.NotEqual(t, prompt, cached, "prompt 1234 and cached 1229 read the same: %q", line)
	assert.LessOrEqual(t, len(prompt), len(fmt.Sprint(1234)), "a rounded count wider than the exact one: %q", line)
}

// A negative saving may be many times a small base; its share stays within
// seven characters, so the savings cell fits its column.
func TestReportSavingShareKeepsWithinSevenCharacters(t *testing.T) {
	for _, c := range []struct {
		saved, base float64
		want        string
	}{
		{5, 10, "50.0%"}, {-9999, 10, "-100k%"}, {-1234.5, 10, "-12345%"}, {-1485, 15, "-9900%"}, {-9999, 0.01, "-100M%"},
		{-9999, 1e-12, "-999B%"}, {-9.999, 1, "-999.9%"}, {-9.9999, 1, "-1000%"}, {1, 0, "-"},
	} {
		got := pct(c.saved, c.base)
		assert.Equal(t, c.want, got, "%v of %v", c.saved, c.base)
		assert.LessOrEqual(t, len(got), 7, got)
	}
}
