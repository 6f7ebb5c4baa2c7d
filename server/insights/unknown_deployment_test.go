package insights_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/store"
)

// The dashboard draws a table row per report row: calls naming made-up
// deployments are one row, and the built-in deployment keeps its name even
// when none of its calls was routed (here: asked before its router loaded).
func TestReportEndpointCountsMadeUpDeploymentNamesInOneRow(t *testing.T) {
	s := openLog(t)
	const madeUp = 200
	for i := range madeUp {
		s.Log().Record(router.Record{RequestID: fmt.Sprintf("u%d", i), Time: now.Add(-time.Hour), API: "chat.completions",
			Decision: router.Decision{Deployment: fmt.Sprintf("no-such-%d", i)}, Status: 404, ErrorCode: router.ENotFound})
	}
	s.Log().Record(router.Record{RequestID: "m", Time: now.Add(-time.Hour), API: "chat.completions",
		Decision: router.Decision{Deployment: "model-router"}, Status: 503, ErrorCode: router.EUnavailable})
	require.NoError(t, s.Log().Flush(context.Background()))
	h := insights.New(s.Reports(), func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer admin" })
	h.Now = func() time.Time { return now }

	report := func(query string) store.Report {
		rec := get(t, h, insights.ReportPath+"?since=1d"+query, "Bearer admin")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var rep store.Report
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rep))
		return rep
	}
	rep := report("")
	require.Equal(t, 2, len(rep.Rows))
	assert.Equal(t, store.UnknownDeployment, rep.Rows[0].Deployment)
	assert.Equal(t, int64(madeUp), rep.Rows[0].Requests)
	assert.Equal(t, "model-router", rep.Rows[1].Deployment)
	assert.Equal(t, int64(1), rep.Rows[1].Requests)
	assert.Equal(t, int64(madeUp+1), rep.Total.Requests)

	// The dashboard's filter offers the report's deployments, this row's
	// name too: picking it shows those calls.
	alone := report("&deployment=" + url.QueryEscape(store.UnknownDeployment))
	require.Equal(t, 1, len(alone.Rows))
	assert.Equal(t, int64(madeUp), alone.Total.Requests)
}
