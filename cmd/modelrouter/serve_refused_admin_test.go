package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/refusedlog"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Calls refused on the routes the admin key opens (no key or a wrong one,
// then 429 once the address guessed too often) write no decision row, as
// refused client keys do not, but /metrics counts them apart from client
// keys and the server log has the address's line a minute; and the count
// of its last minute reaches the log when serve stops, though no later
// call or minute comes to write it.
func TestServeCountsRefusedAdminKeysAndLogsTheirLastMinuteAtStop(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	var stdout, stderr bytes.Buffer
	require.NoError(t, runKeys(context.Background(), []string{"create", "--name", "app", "--db", db}, &stdout, &stderr), stderr.String())
	key := strings.TrimSpace(stdout.String())
	logs := &syncBuffer{}
	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.requireKeys = true
		o.environ = append(o.environ, "MODELROUTER_ADMIN_KEY=the-admin-key")
		o.logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	send := func(method, path, key, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, send(http.MethodPost, "/v1/chat/completions", key,
		`{"model":"model-router","messages":[{"role":"user","content":"Name a river."}]}`), "the one call served")
	require.Equal(t, http.StatusUnauthorized, send(http.MethodGet, "/v1/router/report", "", ""))
	require.Equal(t, http.StatusUnauthorized, send(http.MethodGet, "/v1/router/timeline", key, ""), "a client key is not the admin key")
	for i := range 10 {
		require.Equal(t, http.StatusUnauthorized, send(http.MethodGet, "/deployments", fmt.Sprintf("admin-guess-%d", i), ""))
	}
	require.Equal(t, http.StatusTooManyRequests, send(http.MethodPut, "/management/deployments/x", "the-admin-key", `{}`))
	require.Equal(t, http.StatusTooManyRequests, send(http.MethodGet, "/v1/router/report", "the-admin-key", ""))

	metrics := func() string {
		resp, err := http.Get(base + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return grep(string(raw), "modelrouter_refused_requests_total{") + "\n"
	}()
	assert.Contains(t, metrics, `modelrouter_refused_requests_total{reason="admin_unauthorized"} 12`+"\n")
	assert.Contains(t, metrics, `modelrouter_refused_requests_total{reason="too_many_failed_authentications"} 2`+"\n")
	assert.NotContains(t, metrics, `modelrouter_refused_requests_total{reason="unauthorized"}`, "no client key was refused")

	assert.Equal(t, 1, strings.Count(logs.String(), refusedlog.Message), "one line for the address within the minute:\n%s", logs.String())
	assert.Contains(t, logs.String(), "client=127.0.0.1 refused=1 reason=admin_unauthorized route=/v1/router/report\n")

	stop()
	require.NoError(t, <-done)
	assert.Equal(t, 2, strings.Count(logs.String(), refusedlog.Message), "the last minute's count is written at stop:\n%s", logs.String())
	assert.Contains(t, logs.String(), "client=127.0.0.1 refused=13 reason=too_many_failed_authentications route=/v1/router/report\n",
		"every refusal since the first line, named by the latest")
	assert.NotContains(t, logs.String(), "admin-guess", "keys never reach the log")

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var rows int
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&rows))
	assert.Equal(t, 1, rows, "only the served call has a decision row")
}

// A flood of refused client keys that stops within its minute: the
// refusals after the address's first line reach the server log when serve
// stops, rather than only the metric.
func TestServeWritesTheRefusalsOfTheLastMinuteWhenItStops(t *testing.T) {
	logs := &syncBuffer{}
	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.requireKeys = true
		o.logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	for range 5 {
		resp, err := http.Post(base+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	require.Equal(t, 1, strings.Count(logs.String(), refusedlog.Message), logs.String())

	stop()
	require.NoError(t, <-done)
	assert.Equal(t, 2, strings.Count(logs.String(), refusedlog.Message), logs.String())
	assert.Contains(t, logs.String(), "client=127.0.0.1 refused=4 reason=unauthorized route=/v1/chat/completions\n")
}
