package metrics_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/store"
)

// The label set of every exported metric, as README's metrics table gives
// them: the request metrics carry deployment, mode and model plus their own
// labels; the router-model, decision-log and model-state metrics only
// theirs. A dashboard's queries are written against these.
func TestMetricLabels(t *testing.T) {
	m := metrics.New()
	m.SetRouterModel("2026-11-26+fc247f54")
	m.WatchDecisionLog(func() store.LogStats { return store.LogStats{Recorded: 2, Written: 1, Commits: 1} })
	m.WatchHealth(func() []string { return []string{"a"} })
	m.WatchBackoff(func() []string { return []string{"b"} })
	m.WatchKeptAnswers(func() (int, uint64) { return 1, 1 })
	m.Observe(router.Record{
		Decision:        router.Decision{Deployment: "d", Mode: router.ModeBalanced, ChosenID: "x"},
		DeploymentFound: true, Answered: "x", Status: 500, ErrorCode: "upstream_error",
		Attempts: []router.Attempt{{Model: "y"}, {Model: "x"}},
		Usage:    router.Usage{PromptTokens: 3, CompletionTokens: 2, ReasoningTokens: 1, CachedTokens: 1},
		CostUSD:  0.1, DecideLatency: 1e6, FirstByte: 1e6, Total: 2e6,
	})
	families, err := m.Registry().Gather()
	require.NoError(t, err)
	got := map[string][]string{}
	for _, f := range families {
		if len(f.GetMetric()) == 0 {
			continue
		}
		var names []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			names = append(names, l.GetName())
		}
		slices.Sort(names)
		got[f.GetName()] = names
	}
	base := []string{"deployment", "mode", "model"}
	with := func(extra ...string) []string {
		s := append(slices.Clone(base), extra...)
		slices.Sort(s)
		return slices.Compact(s)
	}
	table := map[string][]string{
		"modelrouter_requests_total":              with(),
		"modelrouter_errors_total":                with("status_class", "code"),
		"modelrouter_failovers_total":             with(),
		"modelrouter_tokens_total":                with("type"),
		"modelrouter_cost_usd_total":              with(),
		"modelrouter_routing_decision_seconds":    with(),
		"modelrouter_upstream_first_byte_seconds": with(),
		"modelrouter_request_duration_seconds":    with(),
		"modelrouter_router_model_info":           {"version"},
		"modelrouter_decision_log_rows_total":     {"outcome"},
		"modelrouter_decision_log_pending_rows":   nil,
		"modelrouter_decision_log_commits_total":  nil,
		"modelrouter_model_unhealthy":             {"model"},
		"modelrouter_model_rate_limited":          {"model"},
		"modelrouter_kept_answers_pending":        nil,
		"modelrouter_kept_answers_given_up_total": nil,
	}
	for name, want := range table {
		_, exported := got[name]
		assert.True(t, exported, "%s is exported", name)
		assert.Equal(t, want, got[name], "labels of %s", name)
	}
}
