package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A call every model failed (502, nothing answered, billed $0) did no
// work: it saves nothing. The savings, the routed expected cost and the
// mean qualities are those of the answered calls alone, while requests,
// errors, failovers and billed cost still count every call; the report
// from kept days says the same as the one from the rows.
func TestSavingsCountOnlyCallsAModelAnswered(t *testing.T) {
	s := MustOpen(t)
	s.Now = func() time.Time { return day(7, 0) } // day 5 is over, so it is kept
	at := day(5, 10)
	// "mid" (0.002) was chosen and answered; "big" (0.01) is the strongest.
	answered := unanswered("answered", at, 200, "", router.Attempt{Model: "mid", Status: 200})
	answered.Decision.ChosenID, answered.Answered, answered.CostUSD = "mid", "mid", .0015
	// "mid" was chosen, failed with a 500, and "big" answered after it:
	// routing paid for big's answer, so the routed cost is big's.
	failedOver := unanswered("failed-over", at, 200, "",
		router.Attempt{Model: "mid", Status: 500}, router.Attempt{Model: "big", Status: 200})
	failedOver.Decision.ChosenID, failedOver.Answered, failedOver.CostUSD = "mid", "big", .008
	// Both models answered 500 and the client got 502: two calls.
	failedEverywhere := func(id string) router.Record {
		r := unanswered(id, at, 502, router.EUpstream,
			router.Attempt{Model: "mid", Status: 500}, router.Attempt{Model: "big", Status: 500})
		r.Decision.ChosenID = "mid"
		return r
	}
	logged(t, s, answered, failedOver, failedEverywhere("failed-1"), failedEverywhere("failed-2"))

	rng := store.Range{Since: day(5, 0), Until: day(6, 0)}
	want := fromRows(t, s, store.ReportQuery{Range: rng})
	tot := want.Total
	assert.Equal(t, int64(4), tot.Requests, "every call is a request")
	assert.Equal(t, int64(2), tot.Errors)
	assert.Equal(t, int64(3), tot.Failovers, "mid failed over in three calls")
	assert.InDelta(t, .0095, tot.CostUSD, 1e-12)
	assert.Equal(t, int64(4), tot.Routed, "every call was sent to a model")
	assert.Equal(t, int64(2), tot.Answered)
	assert.InDelta(t, .002+.01, tot.RoutedExpectedUSD, 1e-12, "mid's answer, then big's after the failover")
	assert.InDelta(t, .01+.01, tot.StrongestUSD, 1e-12)
	assert.InDelta(t, .008, tot.SavingsStrongest, 1e-12, "the answered call's saving alone")
	assert.InDelta(t, (.8+.9)/2, tot.RoutedQuality, 1e-12)
	assert.InDelta(t, .9, tot.StrongestQuality, 1e-12)
	assert.InDelta(t, .008, tot.SavingsBestSingle, 1e-12, "big, always: the answered call's saving alone")
	assert.InDelta(t, .9, tot.BestSingleQuality, 1e-12)

	report(t, s.Reports(), store.ReportQuery{}) // keeps day 5
	require.Contains(t, keptDays(t, s.DB()), "2026-01-05")
	assert.Equal(t, want, report(t, s.Reports(), store.ReportQuery{Range: rng}), "the kept day's report")
}
