package insights_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/store"
)

// A deployment whose every call failed (each model answered 5xx, the
// client got 502) saved nothing: GET /v1/router/report answers 200 with
// JSON that counts its calls, errors and failovers, and zero expected
// costs, savings and mean qualities (means over no answered call), with
// no best single model. Asked twice, the second answer reads the days the
// first kept, and is the same.
func TestReportEndpointOfADeploymentNoModelAnswered(t *testing.T) {
	s := openLog(t)
	s.Now = func() time.Time { return now }
	cands := []router.Candidate{
		{Model: "big", Eligible: true, Quality: .9, ExpectedCost: .01},
		{Model: "small", Eligible: true, Quality: .8, ExpectedCost: .002},
	}
	ats := []time.Time{now.Add(-49 * time.Hour), now.Add(-25 * time.Hour), now.Add(-time.Hour)} // two whole past days, and today
	for i, at := range ats {
		s.Log().Record(router.Record{
			RequestID: fmt.Sprintf("failed-%d", i), Time: at, API: "chat.completions", PromptHash: "h",
			Decision: router.Decision{Deployment: "down", Mode: router.ModeBalanced, ChosenID: "small", Candidates: cands},
			Attempts: []router.Attempt{{Model: "small", Status: 500}, {Model: "big", Status: 503}},
			Status:   502, ErrorCode: router.EUpstream,
		})
	}
	require.NoError(t, s.Log().Flush(context.Background()))
	h := insights.New(s.Reports(), func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer admin" })
	h.Now = func() time.Time { return now }

	for _, query := range []string{"", "?by=day", "?deployment=down", "?by=day", ""} {
		rec := get(t, h, insights.ReportPath+query, "Bearer admin")
		require.Equal(t, http.StatusOK, rec.Code, "%q: %s", query, rec.Body)
		var rep store.Report
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep), "%q: %s", query, rec.Body)
		assert.Empty(t, rep.BestSingle, query)
		rows := append(append([]store.ReportRow{rep.Total}, rep.Deployments...), rep.Rows...)
		for _, r := range rows {
			assert.Zero(t, r.Answered, query)
			assert.Equal(t, r.Requests, r.Errors, query)
			assert.Equal(t, r.Requests, r.Routed, query)
			for _, v := range []float64{r.CostUSD, r.RoutedExpectedUSD, r.StrongestUSD, r.BestSingleUSD, r.SavingsStrongest,
				r.SavingsBestSingle, r.RoutedQuality, r.StrongestQuality, r.BestSingleQuality} {
				assert.Zero(t, v, "%q: %+v", query, r)
			}
		}
		assert.Equal(t, int64(len(ats)), rep.Total.Requests, query)
		assert.Equal(t, int64(len(ats)), rep.Total.Errors, query)
		assert.Equal(t, int64(len(ats)), rep.Total.Failovers, "%q: small failed over in each call", query)
		require.Len(t, rep.Deployments, 1, query)
		assert.Equal(t, "down", rep.Deployments[0].Deployment, query)
	}
	var kept int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM report_days_done WHERE filled > 0`).Scan(&kept))
	assert.Equal(t, 2, kept, "the two whole past days were kept, and read by the later calls")
}
