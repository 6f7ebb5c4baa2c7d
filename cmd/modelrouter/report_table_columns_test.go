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

// README "Cost and savings report": per deployment and model the report
// gives "requests, errors, failovers; prompt, completion, reasoning and
// cached tokens". The default format, the one `modelrouter report` prints
// with no --format, shows them too: an operator reading it for failovers
// should not need to know that only csv and json carry the column.
func TestReportTableShowsFailoversAndHiddenTokens(t *testing.T) {
	s, path := newLogStore(t)
	s.Log().Record(router.Record{
		RequestID: "failed-over", Time: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
		Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: "small",
			Candidates: []router.Candidate{{Model: "small", Eligible: true, Quality: .9, ExpectedCost: .002}, {Model: "big", Eligible: true, Quality: .8, ExpectedCost: .01}}},
		Answered: "big", Status: 200,
		Attempts: []router.Attempt{{Model: "small", Status: 503, Error: "HTTP 503"}, {Model: "big", Status: 200}},
		Usage:    router.Usage{PromptTokens: 100, CompletionTokens: 20, ReasoningTokens: 7, CachedTokens: 40}, CostUSD: .001,
	})
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	assert.Contains(t, out, "FAILOVERS")
	assert.Contains(t, out, "REASONING")
	assert.Contains(t, out, "CACHED")
	assert.Regexp(t, `prod\s+big\s+1\s+0\s+0\s+100\s+20\s+7\s+40\n`, out, "one request, no error; its tokens")
	assert.Regexp(t, `prod\s+small\s+0\s+0\s+1\s+0\s+0\s+0\s+0\n`, out, "the failover under the model that failed")
}

// README "Cost and savings report": with the catalog's model names "each
// table fits a 120-column terminal". The catalog's longest model name, the
// default deployment name and a busy month's token counts, by day, are
// what an operator gets: no line may wrap, and no name or day is cut.
func TestReportTableWithTheLongestCatalogNameFitsA120ColumnTerminal(t *testing.T) {
	s, path := newLogStore(t)
	const model = "Llama-4-Maverick-17B-128E-Instruct-FP8"
	for i := range 3 {
		s.Log().Record(router.Record{
			RequestID: fmt.Sprintf("r%d", i), Time: time.Date(2026, 2, 1+i, 10, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "model-router", Mode: router.ModeBalanced, ChosenID: model,
				Candidates: []router.Candidate{{Model: model, Eligible: true, Quality: .9, ExpectedCost: 20}}},
			Answered: model, Status: 200, Attempts: []router.Attempt{{Model: model, Status: 200}},
			Usage: router.Usage{PromptTokens: 120000000, CompletionTokens: 90000000, ReasoningTokens: 60000000, CachedTokens: 80000000}, CostUSD: 1500,
		})
	}
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "report", "--db", path, "--by", "day")
	require.NoError(t, err)
	tables, _, _ := strings.Cut(out, "model-router: best single model")
	assertFits120(t, tables)
	assert.Regexp(t, `(?m)^2026-02-03\nmodel-router +`+model+` +1 +0 +0 +120M +90\.0M +60\.0M +80\.0M$`, tables,
		"the day, the full name and the counts, rounded to fit")
	assert.Regexp(t, `(?m)^\(all\) +\(all\) +3 +0 +0 +360M +270M +180M +240M$`, tables)
	assert.Contains(t, tables, "M and B: thousands, millions and billions, rounded")
}

// Rounded counts keep three significant digits and never round up into a
// four-digit figure of the smaller unit; a count whose exact form is no
// longer than the rounded one stays exact.
func TestReportTableRoundsTokenCountsToThreeDigits(t *testing.T) {
	for n, want := range map[int64]string{
		999: "999", 1000: "1000", 1234: "1234", 12345: "12345", 99_999: "100k", 123_456: "123k",
		999_499: "999k", 999_999: "1.00M",
		12_345_678: "12.3M", 120_000_000: "120M", 4_560_000_000: "4.56B", 7_000_000_000_000: "7000B",
	} {
		assert.Equal(t, want, compactCount(n), "%d", n)
	}
}
