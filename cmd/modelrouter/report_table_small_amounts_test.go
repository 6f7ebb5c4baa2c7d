package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A cheap model's call costs about $0.00001: the table printed it, and a
// saving of its size, as 0.0000, a row that spent nothing, while the
// dashboard and the csv showed what it cost. Such an amount shows its
// first significant digits, and the cost table still fits 120 columns.
func TestReportTableShowsACheapCallsCostRatherThanZero(t *testing.T) {
	s, path := newLogStore(t)
	call := func(id, deployment, answered string, cost float64, candidates ...router.Candidate) router.Record {
		return router.Record{
			RequestID: id, Time: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: deployment, Mode: router.ModeBalanced, ChosenID: answered, Candidates: candidates},
			Answered: answered, Status: 200, Attempts: []router.Attempt{{Model: answered, Status: 200}},
			Usage: router.Usage{PromptTokens: 11, CompletionTokens: 7}, CostUSD: cost,
		}
	}
	s.Log().Record(call("cheap", "cheap-dep", "gpt-4o-mini", 0.0000117,
		router.Candidate{Model: "gpt-4o-mini", Eligible: true, Quality: .9, ExpectedCost: 0.0000228},
		router.Candidate{Model: "gpt-4o", Eligible: true, Quality: .95, ExpectedCost: 0.0000451}))
	// Affinity kept a conversation on a model that cost more than the
	// strongest: a negative saving of a fraction of a cent.
	s.Log().Record(call("pinned", "pinned-dep", "gpt-4.1-nano", 0.00000081,
		router.Candidate{Model: "gpt-4.1-nano", Eligible: true, Quality: .5, ExpectedCost: 0.00000081},
		router.Candidate{Model: "gpt-5-nano", Eligible: true, Quality: .9, ExpectedCost: 0.00000045}))
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "report", "--db", path)
	require.NoError(t, err)
	tables, _, _ := strings.Cut(out, "cheap-dep: best single model")
	assertFits120(t, tables)
	_, costTable, found := strings.Cut(tables, "COST $")
	require.True(t, found, out)

	row := func(deployment, model string) []string {
		for line := range strings.Lines(costTable) {
			if f := strings.Fields(line); len(f) > 2 && f[0] == deployment && f[1] == model {
				return f[2:]
			}
		}
		t.Fatalf("no %s %s row in\n%s", deployment, model, costTable)
		return nil
	}
	cheap := row("cheap-dep", "gpt-4o-mini")
	assert.Equal(t, "0.000012", cheap[0], "billed $0.0000117")
	assert.Equal(t, "0.000023", cheap[1], "expected $0.0000228")
	assert.Equal(t, "0.000022", cheap[2], "saved $0.0000223 against the strongest")
	pinned := row("pinned-dep", "gpt-4.1-nano")
	assert.Equal(t, "0.0000008", pinned[0], "billed $0.00000081")
	assert.Equal(t, "-0.0000004", pinned[2], "saved -$0.00000036 against the strongest")
}
