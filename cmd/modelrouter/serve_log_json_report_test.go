package main

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// startServeJSONLog starts serve with --log-format json and an admin key,
// its log in the buffer it returns, as runServe builds that logger.
func startServeJSONLog(t *testing.T, db string, mutate func(*serveOptions)) (string, *syncBuffer) {
	t.Helper()
	var logs syncBuffer
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.environ = append(o.environ, "MODELROUTER_ADMIN_KEY=admin-key-long-enough-to-pass")
		o.logFormat = "json"
		if mutate != nil {
			mutate(o)
		}
		o.logger = o.newLogger(&logs)
	})
	return base, &logs
}

// A report that fails inside (here a decision row whose candidates are not
// JSON, as a hand edit of the database leaves one) answers 500 and logs
// why; with --log-format json that line is a JSON object at ERROR like
// every other, not a text line from the default logger.
func TestServeLogFormatJSONWritesAFailedReportsErrorAsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	base, logs := startServeJSONLog(t, db, nil)

	conn, err := sql.Open("sqlite3", "file:"+db+"?_busy_timeout=5000")
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Exec(`INSERT INTO decisions (request_id, ts, ts_ms, deployment, mode, router_version, router_model, api, stream,
		prompt_hash, candidates, chosen, answered, affinity, attempts, fallbacks_tried, status, error_code,
		prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens)
		VALUES ('hand-edited', ?, ?, 'model-router', 'balanced', '', '', 'chat.completions', 0,
		'', 'not json', 'small', 'small', 0, '[]', 0, 200, '', 0, 0, 0, 0)`,
		time.Now().UTC().Format(time.RFC3339Nano), time.Now().UnixMilli())
	require.NoError(t, err)

	req, err := http.NewRequest(http.MethodGet, base+insights.ReportPath, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer admin-key-long-enough-to-pass")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)

	var failed map[string]any
	for _, l := range logLines(t, logs.String()) {
		if err, _ := l["err"].(string); strings.Contains(err, "candidates") {
			failed = l
		}
	}
	require.NotNil(t, failed, "no line for the failed report: %s", logs.String())
	assert.Equal(t, "ERROR", failed["level"])
	assert.Equal(t, "insights", failed["msg"])
	assert.NotEmpty(t, failed["time"])
}
