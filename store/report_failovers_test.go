package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// answeredBy is a call to deployment "d" that model answered after the
// attempts before it.
func answeredBy(id string, dayOf int, model string, before ...router.Attempt) router.Record {
	r := unanswered(id, day(dayOf, 10), 200, "", append(before, router.Attempt{Model: model, Status: 200})...)
	r.Answered = model
	return r
}

// The report's failovers are what modelrouter_failovers_total counts: a
// model called that failed, so the next one was tried. "big" skipped
// without being asked (its provider asked to wait) did not fail, though
// fallbacks_tried counts the skip; "big" answering 500 did.
func TestReportCountsOnlyCalledModelsThatFailedAsFailovers(t *testing.T) {
	s := MustOpen(t)
	logged(t, s, answeredBy("skipped", 7, "mid", router.Attempt{Model: "big", NotSent: true}))
	rng := store.Range{Since: day(7, 0), Until: day(8, 0)}
	rep, err := s.Reports().Report(context.Background(), store.ReportQuery{Range: rng})
	require.NoError(t, err)
	assert.Equal(t, int64(0), rep.Total.Failovers, "a skipped model is no failover")

	logged(t, s, answeredBy("failed", 7, "mid", router.Attempt{Model: "big", Status: 500}))
	rep, err = s.Reports().Report(context.Background(), store.ReportQuery{Range: rng})
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Total.Failovers)
	assert.Equal(t, int64(1), findRow(t, rep.Rows, "", "d", "big").Failovers)
}

// A failover counts in the row of the model that failed, as the metric
// labels it, not of the model that answered: the report then says which
// model is failing. A model that failed and answered nothing has a row
// with no requests; the deployment's and the grand totals are the sums of
// the rows, and the day and deployment are the request's.
func TestReportCountsAFailoverUnderTheModelThatFailed(t *testing.T) {
	s := MustOpen(t)
	other := answeredBy("elsewhere", 7, "mid", router.Attempt{Model: "big", Status: 500})
	other.Decision.Deployment = "e"
	logged(t, s,
		answeredBy("twice", 7, "small", router.Attempt{Model: "big", Status: 500}, router.Attempt{Model: "mid", Status: 503}),
		answeredBy("next-day", 8, "small", router.Attempt{Model: "big", NotSent: true}, router.Attempt{Model: "mid", Error: "connection reset"}),
		other)

	rep, err := s.Reports().Report(context.Background(), store.ReportQuery{
		Range: store.Range{Since: day(7, 0), Until: day(9, 0), Deployment: "d"}, ByDay: true})
	require.NoError(t, err)
	got := map[[2]string][2]int64{}
	var failovers int64
	for _, r := range rep.Rows {
		got[[2]string{r.Day, r.Model}] = [2]int64{r.Requests, r.Failovers}
		failovers += r.Failovers
	}
	assert.Equal(t, map[[2]string][2]int64{
		{"2026-01-07", "small"}: {1, 0},
		{"2026-01-07", "big"}:   {0, 1},
		{"2026-01-07", "mid"}:   {0, 1},
		{"2026-01-08", "small"}: {1, 0},
		{"2026-01-08", "mid"}:   {0, 1},
	}, got, "{requests, failovers} per day and model; deployment e's failover of big is not d's")
	assert.Equal(t, int64(3), rep.Total.Failovers)
	assert.Equal(t, rep.Total.Failovers, failovers)
	require.Len(t, rep.Deployments, 1)
	assert.Equal(t, int64(3), rep.Deployments[0].Failovers)
	assert.Equal(t, int64(2), rep.Total.Requests, "a row of failovers alone adds no request")

	rep, err = s.Reports().Report(context.Background(), store.ReportQuery{Range: store.Range{Since: day(7, 0), Until: day(9, 0)}})
	require.NoError(t, err)
	assert.Equal(t, int64(4), rep.Total.Failovers)
	assert.Equal(t, int64(1), findRow(t, rep.Rows, "", "e", "big").Failovers)
	assert.Equal(t, int64(2), findRow(t, rep.Rows, "", "d", "mid").Failovers)
}

// An attempts column that is not a JSON array (no release writes one)
// names no model that failed: the report counts no failover for it, even
// where fallbacks_tried says there were some, and still reports the call.
func TestReportCountsNoFailoverWhereAttemptsAreNotAnArray(t *testing.T) {
	s := MustOpen(t)
	logged(t, s, answeredBy("odd", 7, "mid", router.Attempt{Model: "big", Status: 500}))
	_, err := s.DB().Exec(`UPDATE decisions SET attempts = 'big failed', fallbacks_tried = 2 WHERE request_id = 'odd'`)
	require.NoError(t, err)

	rep, err := s.Reports().Report(context.Background(), store.ReportQuery{Range: store.Range{Since: day(7, 0), Until: day(8, 0)}})
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Total.Requests)
	assert.Equal(t, int64(0), rep.Total.Failovers)
	require.Len(t, rep.Rows, 1)
	assert.Equal(t, "mid", rep.Rows[0].Model)
}
