package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/store"
)

// scrape fetches the handler's text exposition, as Prometheus would.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

func record(dep string, mode router.Mode, chosen, answered string) router.Record {
	return router.Record{
		RequestID: "r1",
		Time:      time.Unix(1_700_000_000, 0),
		Decision:  router.Decision{Deployment: dep, Mode: mode, ChosenID: chosen},
		// The tests' deployments exist unless a test says otherwise.
		DeploymentFound: true,
		Answered:        answered,
		Status:          200,
	}
}

func TestObserveCountsRequestsTokensAndCost(t *testing.T) {
	m := metrics.New()
	rec := record("router-a", router.ModeBalanced, "gpt-4.1-mini", "gpt-4.1-mini")
	rec.Usage = router.Usage{PromptTokens: 120, CompletionTokens: 80, ReasoningTokens: 30, CachedTokens: 64}
	rec.CostUSD = 0.0025
	rec.DecideLatency = 3 * time.Millisecond
	rec.FirstByte = 400 * time.Millisecond
	rec.Total = 1500 * time.Millisecond
	m.Observe(rec)
	m.Observe(rec)

	text := scrape(t, m)
	labels := `deployment="router-a",mode="balanced",model="gpt-4.1-mini"`
	for _, want := range []string{
		`modelrouter_requests_total{` + labels + `} 2`,
		`modelrouter_tokens_total{` + labels + `,type="prompt"} 240`,
		`modelrouter_tokens_total{` + labels + `,type="completion"} 160`,
		`modelrouter_tokens_total{` + labels + `,type="reasoning"} 60`,
		`modelrouter_tokens_total{` + labels + `,type="cached"} 128`,
		`modelrouter_cost_usd_total{` + labels + `} 0.005`,
		`modelrouter_routing_decision_seconds_count{` + labels + `} 2`,
		`modelrouter_routing_decision_seconds_bucket{` + labels + `,le="0.0025"} 0`,
		`modelrouter_routing_decision_seconds_bucket{` + labels + `,le="0.005"} 2`,
		`modelrouter_upstream_first_byte_seconds_bucket{` + labels + `,le="0.5"} 2`,
		`modelrouter_request_duration_seconds_sum{` + labels + `} 3`,
	} {
		assert.Contains(t, text, want+"\n")
	}
	assert.NotContains(t, text, "modelrouter_errors_total{", "a 200 answer is no error")
	assert.NotContains(t, text, "modelrouter_failovers_total{", "one attempt is no failover")
}

func TestObserveErrorsAndFailovers(t *testing.T) {
	tests := []struct {
		name       string
		rec        func() router.Record
		wantLines  []string
		wantAbsent []string
	}{
		{
			name: "failover then answer counts the failed model and attributes the request to the answering one",
			rec: func() router.Record {
				r := record("d", router.ModeQuality, "o3", "gpt-4.1")
				r.Attempts = []router.Attempt{{Model: "o3", Status: 503}, {Model: "gpt-4.1", Status: 200}}
				return r
			},
			wantLines: []string{
				`modelrouter_failovers_total{deployment="d",mode="quality",model="o3"} 1`,
				`modelrouter_requests_total{deployment="d",mode="quality",model="gpt-4.1"} 1`,
			},
			wantAbsent: []string{`modelrouter_errors_total{`, `modelrouter_failovers_total{deployment="d",mode="quality",model="gpt-4.1"}`},
		},
		{
			name: "every attempt failing is an upstream error with one failover fewer than attempts",
			rec: func() router.Record {
				r := record("d", router.ModeCost, "a", "")
				r.Attempts = []router.Attempt{{Model: "a", Status: 500}, {Model: "b", Status: 502}, {Model: "c", Status: 429}}
				r.Status, r.ErrorCode = 502, router.EUpstream
				return r
			},
			wantLines: []string{
				`modelrouter_errors_total{code="upstream",deployment="d",mode="cost",model="a",status_class="5xx"} 1`,
				`modelrouter_failovers_total{deployment="d",mode="cost",model="a"} 1`,
				`modelrouter_failovers_total{deployment="d",mode="cost",model="b"} 1`,
				`modelrouter_requests_total{deployment="d",mode="cost",model="a"} 1`,
			},
			wantAbsent: []string{`modelrouter_failovers_total{deployment="d",mode="cost",model="c"}`},
		},
		{
			name: "a model skipped without being asked is no failover when the next one answers",
			rec: func() router.Record {
				r := record("d", router.ModeBalanced, "o3", "gpt-4.1")
				r.Attempts = []router.Attempt{
					{Model: "o3", Error: "skipped: rate limited, its provider asked to wait 12s more", NotSent: true},
					{Model: "gpt-4.1", Status: 200},
				}
				return r
			},
			wantLines:  []string{`modelrouter_requests_total{deployment="d",mode="balanced",model="gpt-4.1"} 1`},
			wantAbsent: []string{`modelrouter_failovers_total{`},
		},
		{
			name: "a model that answered 500 before the next one answered is a failover, a skipped one between them is not",
			rec: func() router.Record {
				r := record("d", router.ModeBalanced, "o3", "gpt-4.1-mini")
				r.Attempts = []router.Attempt{
					{Model: "o3", Status: 500, Error: "upstream error"},
					{Model: "gpt-4.1", Error: "skipped: rate limited, its provider asked to wait 12s more", NotSent: true},
					{Model: "gpt-4.1-mini", Status: 200},
				}
				return r
			},
			wantLines:  []string{`modelrouter_failovers_total{deployment="d",mode="balanced",model="o3"} 1`},
			wantAbsent: []string{`modelrouter_failovers_total{deployment="d",mode="balanced",model="gpt-4.1"}`},
		},
		{
			name: "a request no model could serve is counted under model none",
			rec: func() router.Record {
				r := record("d", router.ModeBalanced, "", "")
				r.Status, r.ErrorCode = 400, router.ENoEligible
				return r
			},
			wantLines: []string{
				`modelrouter_errors_total{code="no_eligible",deployment="d",mode="balanced",model="none",status_class="4xx"} 1`,
				`modelrouter_requests_total{deployment="d",mode="balanced",model="none"} 1`,
			},
		},
		{
			name: "a deployment name nobody confirmed does not become a label",
			rec: func() router.Record {
				r := record("random-name-123", "", "", "")
				r.Status, r.ErrorCode, r.DeploymentFound = 404, router.ENotFound, false
				return r
			},
			wantLines: []string{
				`modelrouter_errors_total{code="not_found",deployment="unknown",mode="",model="none",status_class="4xx"} 1`,
			},
			wantAbsent: []string{"random-name-123"},
		},
		{
			name: "nor does one whose lookup failed otherwise (the client left, the store failed)",
			rec: func() router.Record {
				r := record("made-up-7", "", "", "")
				r.Status, r.ErrorCode, r.DeploymentFound = 500, router.EInternal, false
				return r
			},
			wantLines: []string{
				`modelrouter_errors_total{code="internal",deployment="unknown",mode="",model="none",status_class="5xx"} 1`,
			},
			wantAbsent: []string{"made-up-7"},
		},
		{
			name: "an error status without a router code is labelled by the status",
			rec: func() router.Record {
				r := record("d", router.ModeBalanced, "a", "a")
				r.Status = 499
				return r
			},
			wantLines: []string{
				`modelrouter_errors_total{code="status_499",deployment="d",mode="balanced",model="a",status_class="4xx"} 1`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := metrics.New()
			m.Observe(tt.rec())
			text := scrape(t, m)
			for _, want := range tt.wantLines {
				assert.Contains(t, text, want+"\n")
			}
			for _, absent := range tt.wantAbsent {
				assert.NotContains(t, text, absent)
			}
		})
	}
}

func TestSetRouterModelKeepsOneVersion(t *testing.T) {
	m := metrics.New()
	m.SetRouterModel("sha256:aaa")
	assert.Contains(t, scrape(t, m), `modelrouter_router_model_info{version="sha256:aaa"} 1`+"\n")

	m.SetRouterModel("sha256:bbb")
	text := scrape(t, m)
	assert.Contains(t, text, `modelrouter_router_model_info{version="sha256:bbb"} 1`+"\n")
	assert.NotContains(t, text, `version="sha256:aaa"`, "a reloaded router model replaces the old series")
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.Observe(record("only-a", router.ModeBalanced, "x", "x"))
	assert.Contains(t, scrape(t, a), `deployment="only-a"`)
	assert.False(t, strings.Contains(scrape(t, b), `deployment="only-a"`), "each Metrics has its own registry")
	assert.Contains(t, scrape(t, b), "go_goroutines", "runtime collectors are registered")
}

func BenchmarkObserve(b *testing.B) {
	m := metrics.New()
	rec := record("router-a", router.ModeBalanced, "gpt-4.1-mini", "gpt-4.1-mini")
	rec.Usage = router.Usage{PromptTokens: 120, CompletionTokens: 80}
	rec.CostUSD, rec.DecideLatency, rec.FirstByte, rec.Total = 0.001, time.Millisecond, 300*time.Millisecond, time.Second
	b.ReportAllocs()
	for b.Loop() {
		m.Observe(rec)
	}
}

func TestWatchDecisionLog(t *testing.T) {
	m := metrics.New()
	stats := store.LogStats{Recorded: 10, Written: 6, Duplicates: 1, Failed: 1, Overflowed: 3, Commits: 2}
	m.WatchDecisionLog(func() store.LogStats { return stats })
	text := scrape(t, m)
	for _, want := range []string{
		`modelrouter_decision_log_rows_total{outcome="written"} 6`,
		`modelrouter_decision_log_rows_total{outcome="duplicate"} 1`,
		`modelrouter_decision_log_rows_total{outcome="failed"} 1`,
		`modelrouter_decision_log_rows_total{outcome="overflowed"} 3`,
		`modelrouter_decision_log_rows_total{outcome="rejected"} 0`,
		`modelrouter_decision_log_pending_rows 2`,
		`modelrouter_decision_log_commits_total 2`,
	} {
		assert.Contains(t, text, want+"\n")
	}
	stats.Written = 8
	assert.Contains(t, scrape(t, m), `modelrouter_decision_log_pending_rows 0`+"\n", "read at every scrape")
}

func TestWatchHealth(t *testing.T) {
	m := metrics.New()
	sick := []string{"claude-x", "gpt-y"}
	m.WatchHealth(func() []string { return sick })
	text := scrape(t, m)
	assert.Contains(t, text, `modelrouter_model_unhealthy{model="claude-x"} 1`+"\n")
	assert.Contains(t, text, `modelrouter_model_unhealthy{model="gpt-y"} 1`+"\n")
	sick = nil
	assert.NotContains(t, scrape(t, m), `modelrouter_model_unhealthy{`, "read at every scrape: recovered models go")
}

func TestWatchBackoffBesideHealth(t *testing.T) {
	m := metrics.New()
	waiting := []string{"gpt-y"}
	m.WatchHealth(func() []string { return []string{"claude-x"} })
	m.WatchBackoff(func() []string { return waiting })
	text := scrape(t, m)
	assert.Contains(t, text, `modelrouter_model_rate_limited{model="gpt-y"} 1`+"\n")
	assert.NotContains(t, text, `modelrouter_model_rate_limited{model="claude-x"}`)
	assert.Contains(t, text, `modelrouter_model_unhealthy{model="claude-x"} 1`+"\n")
	waiting = nil
	assert.NotContains(t, scrape(t, m), `modelrouter_model_rate_limited{`, "read at every scrape: a wait that ran out goes")
}

func TestWatchKeptAnswers(t *testing.T) {
	m := metrics.New()
	pending, givenUp := 3, uint64(2)
	m.WatchKeptAnswers(func() (int, uint64) { return pending, givenUp })
	text := scrape(t, m)
	assert.Contains(t, text, "# TYPE modelrouter_kept_answers_pending gauge\n")
	assert.Contains(t, text, "modelrouter_kept_answers_pending 3\n")
	assert.Contains(t, text, "# TYPE modelrouter_kept_answers_given_up_total counter\n")
	assert.Contains(t, text, "modelrouter_kept_answers_given_up_total 2\n")
	pending = 0
	assert.Contains(t, scrape(t, m), "modelrouter_kept_answers_pending 0\n", "read at every scrape")
}
