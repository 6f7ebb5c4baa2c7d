package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// The report's failovers are what modelrouter_failovers_total counts: a
// model called that failed, so the next one was tried. "big" skipped
// without being asked (its provider asked to wait) did not fail, though
// fallbacks_tried counts the skip; "big" answering 500 did. Both count in
// the row of "mid", the model that answered those requests.
func TestReportCountsOnlyCalledModelsThatFailedAsFailovers(t *testing.T) {
	s := MustOpen(t)
	at := day(7, 10)
	answeredByMid := func(id string, first router.Attempt) router.Record {
		r := unanswered(id, at, 200, "", first, router.Attempt{Model: "mid", Status: 200})
		r.Answered = "mid"
		return r
	}
	logged(t, s, answeredByMid("skipped", router.Attempt{Model: "big", NotSent: true}))
	rng := store.Range{Since: day(7, 0), Until: day(8, 0)}
	rep, err := s.Reports().Report(context.Background(), store.ReportQuery{Range: rng})
	require.NoError(t, err)
	assert.Equal(t, int64(0), rep.Total.Failovers, "a skipped model is no failover")

	logged(t, s, answeredByMid("failed", router.Attempt{Model: "big", Status: 500}))
	rep, err = s.Reports().Report(context.Background(), store.ReportQuery{Range: rng})
	require.NoError(t, err)
	assert.Equal(t, int64(1), rep.Total.Failovers)
	mid := findRow(t, rep.Rows, "", "d", "mid")
	assert.Equal(t, int64(2), mid.Requests)
	assert.Equal(t, int64(1), mid.Failovers, "counted with the requests mid answered")
}
