package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// README "How often a request failed over" is a rate over calls that went
// to an upstream. A POST /v1/route dry run (or the playground's Decide only) records a chosen model but calls no
// provider, and neither does a call refused at the deployment's capacity
// (429 before any upstream call); neither can fail over, so counting them as
// requests makes the rate fall each time someone looks at a decision or the
// gateway sheds load.
func TestFailoverRateCountsOnlyRequestsSentUpstream(t *testing.T) {
	s := MustOpen(t)
	at := time.Now().UTC().Add(-time.Hour)
	failedOver := sampleRecord("failed-over", at)
	failedOver.Answered = "large"
	failedOver.Attempts = []router.Attempt{
		{Model: "mini", Status: 503, Error: "upstream error"},
		{Model: "large", Status: 200},
	}
	dry := sampleRecord("dry-run", at.Add(time.Second))
	dry.API, dry.Answered, dry.Attempts, dry.Usage, dry.CostUSD, dry.FirstByte = "route", "", nil, router.Usage{}, 0, 0
	shed := sampleRecord("at-capacity", at.Add(2*time.Second))
	shed.Answered, shed.Attempts, shed.Usage, shed.CostUSD, shed.FirstByte = "", nil, router.Usage{}, 0, 0
	shed.Status, shed.ErrorCode = 429, router.ERateLimited
	logged(t, s, failedOver, dry, shed)

	rows := queryRows(t, s, exampleQueryNamed(t, "failover-rate-per-model"))
	require.Len(t, rows, 1, "%v", rows)
	assert.Equal(t, "mini", rows[0]["chosen"])
	assert.Equal(t, 1.0, num(t, rows[0]["requests"]), "the dry run and the call shed at capacity sent nothing upstream")
	assert.Equal(t, 100.0, num(t, rows[0]["pct_failed_over"]), "the one call sent upstream failed over")
}

// The README's failover rate and the cost report count the same requests as
// sent to a model, for every attempts column a release writes (older logs
// had no not_sent, and said nothing but "null" for no attempts): an
// operator comparing the two sees one number.
func TestFailoverRateCountsTheRequestsTheReportCountsAsRouted(t *testing.T) {
	for _, tc := range []struct{ name, attempts string }{
		{"no attempts", `[]`},
		{"null", `null`},
		{"older log: a failed attempt", `[{"model":"big","status":502,"latency_ns":1000}]`},
		{"every attempt not sent", `[{"model":"big","latency_ns":0,"not_sent":true},{"model":"mid","latency_ns":0,"not_sent":true}]`},
		{"one attempt of two sent", `[{"model":"big","latency_ns":0,"not_sent":true},{"model":"mid","status":500,"latency_ns":1}]`},
		{"not_sent false", `[{"model":"big","status":500,"latency_ns":1,"not_sent":false}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := MustOpen(t)
			logged(t, s, unanswered("call", day(5, 10), 502, router.EUpstream))
			_, err := s.DB().Exec(`UPDATE decisions SET attempts = ? WHERE request_id = 'call'`, tc.attempts)
			require.NoError(t, err)

			rep, err := s.Reports().Report(context.Background(), store.ReportQuery{Range: store.Range{Since: day(5, 0), Until: day(6, 0)}})
			require.NoError(t, err)
			var requests float64
			for _, r := range queryRows(t, s, exampleQueryNamed(t, "failover-rate-per-model")) {
				requests += num(t, r["requests"])
			}
			assert.Equal(t, float64(rep.Total.Routed), requests)
		})
	}
}

// A failover is a model that was called and failed, so the next one was
// tried. A model skipped without being asked (not_sent: its provider asked
// to wait) did not fail, so a call whose first model was skipped and whose
// second answered did not fail over, in the rate or in the listing of
// failovers; one whose first model answered 500 did.
func TestFailoverQueriesLeaveOutModelsSkippedWithoutBeingAsked(t *testing.T) {
	s := MustOpen(t)
	at := time.Now().UTC().Add(-time.Hour)
	skipped := sampleRecord("skipped-then-answered", at)
	skipped.Answered = "large"
	skipped.Attempts = []router.Attempt{
		{Model: "mini", Error: "skipped: rate limited, its provider asked to wait 12s more", NotSent: true},
		{Model: "large", Status: 200},
	}
	failed := sampleRecord("failed-then-answered", at.Add(time.Second))
	failed.Answered = "large"
	failed.Attempts = []router.Attempt{
		{Model: "mini", Status: 500, Error: "upstream error"},
		{Model: "large", Status: 200},
	}
	logged(t, s, skipped, failed)

	rows := queryRows(t, s, exampleQueryNamed(t, "failover-rate-per-model"))
	require.Len(t, rows, 1, "%v", rows)
	assert.Equal(t, "mini", rows[0]["chosen"])
	assert.Equal(t, 2.0, num(t, rows[0]["requests"]), "both calls reached a model")
	assert.Equal(t, 1.0, num(t, rows[0]["failed_over"]), "only the call whose first model answered 500 failed over")
	assert.Equal(t, 50.0, num(t, rows[0]["pct_failed_over"]))

	listed := map[string]bool{}
	for _, r := range queryRows(t, s, exampleQueryNamed(t, "failovers")) {
		listed[r["request_id"].(string)] = true
	}
	assert.Equal(t, map[string]bool{"failed-then-answered": true}, listed)
}
