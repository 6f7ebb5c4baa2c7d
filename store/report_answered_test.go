package store_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
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

// A deployment whose every call failed (each model tried answered 5xx, the
// client got 502) had no call answered. The README: such a call "counts
// as a request and an error, with its failovers, but neither costs nor
// saves". Its rows, its deployment's total and the grand total, by day or
// not, from the rows or from kept days, count the calls and failures and
// show zero expected costs, savings and mean qualities (a mean over no
// answered call is 0, not NaN), no best single model, and encode as JSON
// (encoding/json refuses NaN and Inf). The days are kept: a day whose
// sums JSON could not hold would be left unkept.
func TestADeploymentNoModelAnsweredCountsItsCallsAndSavesNothing(t *testing.T) {
	s := MustOpen(t)
	s.Now = func() time.Time { return day(7, 0) } // days 5 and 6 are over
	var calls []router.Record
	for _, d := range []int{5, 6} {
		// "mid" chosen, failed over to "big", which failed too.
		both := unanswered(fmt.Sprintf("both-%d", d), day(d, 10), 502, router.EUpstream,
			router.Attempt{Model: "mid", Status: 500}, router.Attempt{Model: "big", Status: 500})
		both.Decision.Deployment, both.Decision.ChosenID = "down", "mid"
		// "big" chosen, its only attempt failed.
		one := unanswered(fmt.Sprintf("one-%d", d), day(d, 11), 502, router.EUpstream,
			router.Attempt{Model: "big", Status: 503})
		one.Decision.Deployment = "down"
		calls = append(calls, both, one)
	}
	logged(t, s, calls...)

	queries := []store.ReportQuery{
		{}, {ByDay: true},
		{Range: store.Range{Deployment: "down"}}, {Range: store.Range{Deployment: "down"}, ByDay: true},
		{Range: store.Range{Since: day(5, 0), Until: day(6, 0)}},
	}
	check := func(t *testing.T, rep *store.Report, days int64) {
		t.Helper()
		_, err := json.Marshal(rep)
		require.NoError(t, err, "the report encodes as JSON: no NaN or Inf")
		assert.NotContains(t, rep.BestSingle, "down", "no best single model without an answered call")
		rows := append(append([]store.ReportRow{rep.Total}, rep.Deployments...), rep.Rows...)
		var requests, errs, failovers int64
		for _, r := range rep.Rows {
			requests, errs, failovers = requests+r.Requests, errs+r.Errors, failovers+r.Failovers
		}
		for _, r := range rows {
			name := strings.TrimPrefix(fmt.Sprintf("%s %s/%s", r.Day, cmp.Or(r.Deployment, "total"), cmp.Or(r.Model, "(all)")), " ")
			assert.Equal(t, r.Requests, r.Errors, "%s: every call is an error", name)
			assert.Equal(t, r.Requests, r.Routed, "%s: every call was sent to a model", name)
			assert.Zero(t, r.Answered, name)
			for what, v := range map[string]float64{"cost": r.CostUSD, "routed expected": r.RoutedExpectedUSD,
				"strongest": r.StrongestUSD, "best single": r.BestSingleUSD,
				"saved vs strongest": r.SavingsStrongest, "saved vs best single": r.SavingsBestSingle,
				"routed quality": r.RoutedQuality, "strongest quality": r.StrongestQuality,
				"best single quality": r.BestSingleQuality} {
				assert.Zero(t, v, "%s: %s", name, what)
			}
		}
		assert.Equal(t, 2*days, rep.Total.Requests)
		assert.Equal(t, 2*days, rep.Total.Errors)
		assert.Equal(t, days, rep.Total.Failovers, "mid failed over once a day")
		assert.Equal(t, rep.Total.Requests, requests, "the rows add up to the total")
		assert.Equal(t, rep.Total.Errors, errs)
		assert.Equal(t, rep.Total.Failovers, failovers)
		require.Len(t, rep.Deployments, 1)
		assert.Equal(t, "down", rep.Deployments[0].Deployment)
	}
	for i, q := range queries {
		days := int64(2)
		if !q.Since.IsZero() {
			days = 1
		}
		want := fromRows(t, s, q)
		t.Run(fmt.Sprintf("query %d from the rows", i), func(t *testing.T) { check(t, want, days) })
		report(t, s.Reports(), store.ReportQuery{}) // keeps days 5 and 6
		require.Equal(t, []string{"2026-01-05", "2026-01-06"}, keptDays(t, s.DB()))
		got := report(t, s.Reports(), q)
		t.Run(fmt.Sprintf("query %d from kept days", i), func(t *testing.T) { check(t, got, days) })
		assert.Equal(t, want, got, "query %d", i)
	}
}
