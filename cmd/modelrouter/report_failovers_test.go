package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/store"
)

// README "Cost and savings report": the report's failovers per model are
// what modelrouter_failovers_total counts per model, the one that failed.
// An operator who sees a model's failovers rise on the dashboard of the
// metric and opens the report finds the same number in the same model's
// row, whichever model answered those requests.
func TestReportFailoversPerModelMatchTheMetric(t *testing.T) {
	s, path := newLogStore(t)
	m := metrics.New()
	at := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	call := func(id, answered string, attempts ...router.Attempt) router.Record {
		at = at.Add(time.Minute)
		return router.Record{
			RequestID: id, Time: at, API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: "small",
				Candidates: []router.Candidate{{Model: "small", Eligible: true, Quality: .9, ExpectedCost: .002},
					{Model: "big", Eligible: true, Quality: .8, ExpectedCost: .01}, {Model: "mini", Eligible: true, Quality: .7, ExpectedCost: .001}}},
			DeploymentFound: true, Answered: answered, Status: 200, Attempts: attempts,
		}
	}
	for _, rec := range []router.Record{
		call("small-failed", "big", router.Attempt{Model: "small", Status: 503}, router.Attempt{Model: "big", Status: 200}),
		call("small-skipped", "big", router.Attempt{Model: "small", NotSent: true}, router.Attempt{Model: "big", Status: 200}),
		call("two-failed", "mini", router.Attempt{Model: "small", Status: 500}, router.Attempt{Model: "big", Error: "connection reset"},
			router.Attempt{Model: "mini", Status: 200}),
		call("answered", "small", router.Attempt{Model: "small", Status: 200}),
	} {
		m.Observe(rec)
		s.Log().Record(rec)
	}
	require.NoError(t, s.Close())

	families, err := m.Registry().Gather()
	require.NoError(t, err)
	metric := map[string]int64{}
	for _, f := range families {
		if f.GetName() != "modelrouter_failovers_total" {
			continue
		}
		for _, sample := range f.GetMetric() {
			for _, l := range sample.GetLabel() {
				if l.GetName() == "model" {
					metric[l.GetValue()] += int64(sample.GetCounter().GetValue())
				}
			}
		}
	}
	require.Equal(t, map[string]int64{"small": 2, "big": 1}, metric)

	out, _, err := runCmd(t, "report", "--db", path, "--format", "json")
	require.NoError(t, err)
	var rep store.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	report := map[string]int64{}
	for _, r := range rep.Rows {
		if r.Failovers > 0 {
			report[r.Model] += r.Failovers
		}
	}
	assert.Equal(t, metric, report)
	assert.Equal(t, int64(3), rep.Total.Failovers)
	assert.Equal(t, int64(4), rep.Total.Requests)
}
