package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// answeredAt is a call routed on deployment and answered by "mini".
func answeredAt(id, deployment string, at time.Time) router.Record {
	r := sampleRecord(id, at)
	r.Decision.Deployment = deployment
	return r
}

// refusedAt is a call refused before the router decided it: a deployment
// that was not found, or one that was but could not take the call.
func refusedAt(id, deployment string, at time.Time, status int, code string) router.Record {
	return router.Record{RequestID: id, Time: at, API: "chat.completions",
		Decision: router.Decision{Deployment: deployment}, Status: status, ErrorCode: code, Total: time.Millisecond}
}

func deploymentsOf(rep *store.Report) []string {
	var names []string
	for _, d := range rep.Deployments {
		names = append(names, d.Deployment)
	}
	return names
}

func TestCallsNamingNoDeploymentShareOneReportRow(t *testing.T) {
	s := MustOpen(t)
	day1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	recs := []router.Record{answeredAt("real", "model-router", day1)}
	const madeUp = 3000
	for i := range madeUp {
		name := "made-up-" + strconv.Itoa(i)
		if i%3 == 0 {
			name = strconv.QuoteToASCII(fmt.Sprintf("bad name %d", i)) // as the gateway logs an invalid name
		}
		recs = append(recs, refusedAt(fmt.Sprintf("u%05d", i), name, day1.Add(time.Duration(i%2)*24*time.Hour),
			404, router.ENotFound))
	}
	logged(t, s, recs...)

	rep, err := s.Reports().Report(context.Background(), store.ReportQuery{Builtin: []string{"model-router"}})
	require.NoError(t, err)
	require.Equal(t, 2, len(rep.Deployments), "one row per deployment, the made-up names' calls in one")
	assert.Equal(t, []string{store.UnknownDeployment, "model-router"}, deploymentsOf(rep))
	require.Equal(t, 2, len(rep.Rows))
	unknown := findRow(t, rep.Rows, "", store.UnknownDeployment, "none")
	assert.Equal(t, int64(madeUp), unknown.Requests)
	assert.Equal(t, int64(madeUp), unknown.Errors)
	assert.Zero(t, unknown.CostUSD)
	assert.Equal(t, int64(madeUp+1), rep.Total.Requests)
	assert.Equal(t, int64(madeUp), rep.Total.Errors)
	assert.InDelta(t, 0.00042, rep.Total.CostUSD, eps)
	body, err := json.Marshal(rep)
	require.NoError(t, err)
	assert.Less(t, len(body), 10_000, "the report's size does not grow with the names clients send")

	byDay, err := s.Reports().Report(context.Background(), store.ReportQuery{ByDay: true, Builtin: []string{"model-router"}})
	require.NoError(t, err)
	require.Equal(t, 3, len(byDay.Rows))
	assert.Equal(t, int64(madeUp/2), findRow(t, byDay.Rows, "2026-03-01", store.UnknownDeployment, "none").Requests)
	assert.Equal(t, int64(madeUp/2), findRow(t, byDay.Rows, "2026-03-02", store.UnknownDeployment, "none").Requests)
	assert.Equal(t, int64(1), findRow(t, byDay.Rows, "2026-03-01", "model-router", "mini").Requests)
	assert.Equal(t, int64(madeUp+1), byDay.Total.Requests)

	// The marker selects those calls alone; a made-up name asked for by
	// name is reported under that name.
	alone, err := s.Reports().Report(context.Background(),
		store.ReportQuery{Range: store.Range{Deployment: store.UnknownDeployment}, Builtin: []string{"model-router"}})
	require.NoError(t, err)
	assert.Equal(t, []string{store.UnknownDeployment}, deploymentsOf(alone))
	assert.Equal(t, int64(madeUp), alone.Total.Requests)
	one, err := s.Reports().Report(context.Background(), store.ReportQuery{Range: store.Range{Deployment: "made-up-1"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"made-up-1"}, deploymentsOf(one))
	assert.Equal(t, int64(1), one.Total.Requests)
}

func TestADeletedDeploymentKeepsItsHistoryInTheReport(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, name := range []string{"gone", "kept"} {
		_, err := s.PutDeployment(ctx, name, json.RawMessage(`{}`))
		require.NoError(t, err)
	}
	logged(t, s,
		answeredAt("g1", "gone", at), answeredAt("g2", "gone", at.Add(time.Minute)),
		// A continuation of an answer the gateway does not know, on a
		// deployment that exists: refused before deciding, still its own.
		refusedAt("k1", "kept", at, 404, router.ENotFound),
		// The built-in deployment, asked before its router loaded.
		refusedAt("m1", "model-router", at, 503, router.EUnavailable),
		refusedAt("t1", "typo", at, 404, router.ENotFound),
	)
	require.NoError(t, s.DeleteDeployment(ctx, "gone"))

	rep, err := s.Reports().Report(ctx, store.ReportQuery{Builtin: []string{"model-router"}})
	require.NoError(t, err)
	assert.Equal(t, []string{store.UnknownDeployment, "gone", "kept", "model-router"}, deploymentsOf(rep))
	gone := findRow(t, rep.Rows, "", "gone", "mini")
	assert.Equal(t, int64(2), gone.Requests)
	assert.InDelta(t, 2*0.00042, gone.CostUSD, eps)
	assert.Equal(t, "large", rep.BestSingle["gone"], "its best single model too")
	assert.Equal(t, int64(1), findRow(t, rep.Rows, "", "kept", "none").Requests)
	assert.Equal(t, int64(1), findRow(t, rep.Rows, "", "model-router", "none").Requests)
	assert.Equal(t, int64(1), findRow(t, rep.Rows, "", store.UnknownDeployment, "none").Requests)
	assert.Equal(t, int64(5), rep.Total.Requests)
}
