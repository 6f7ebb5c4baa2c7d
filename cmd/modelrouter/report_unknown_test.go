package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// As the server's report: calls naming made-up deployments are one row,
// and the built-in deployment, which has no stored row, keeps its own
// even when none of its calls was routed.
func TestReportCountsMadeUpDeploymentNamesInOneRow(t *testing.T) {
	s, path := newLogStore(t)
	at := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	for i := range 50 {
		s.Log().Record(router.Record{RequestID: fmt.Sprintf("u%d", i), Time: at, API: "chat.completions",
			Decision: router.Decision{Deployment: fmt.Sprintf("no-such-%d", i)}, Status: 404, ErrorCode: router.ENotFound})
	}
	s.Log().Record(router.Record{RequestID: "m", Time: at, API: "chat.completions",
		Decision: router.Decision{Deployment: "model-router"}, Status: 503, ErrorCode: router.EUnavailable})
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "report", "--db", path, "--format", "json")
	require.NoError(t, err)
	var rep store.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, 2, len(rep.Deployments))
	assert.Equal(t, store.UnknownDeployment, rep.Deployments[0].Deployment)
	assert.Equal(t, int64(50), rep.Deployments[0].Requests)
	assert.Equal(t, "model-router", rep.Deployments[1].Deployment)
	assert.Equal(t, int64(51), rep.Total.Requests)
}
