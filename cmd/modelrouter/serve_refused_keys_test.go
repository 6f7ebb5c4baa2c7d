package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/refusedlog"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// With --require-keys, calls without a key or with a wrong one add no row
// to the SQLite decision log however many come, and the server log names
// the client once within the flood's minute (behind a trusted proxy, by
// its forwarded address), and once more at stop with the rest of it.
func TestServeRefusedKeysAddNoDecisionRows(t *testing.T) {
	var logs syncBuffer
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, cancel, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.requireKeys = true
		o.trustedProxies = "127.0.0.1"
		o.logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	const flood = 30
	for i := range flood {
		req, err := http.NewRequest(http.MethodPost, base+"/v1/chat/completions",
			bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "203.0.113.9")
		if i%2 == 1 {
			req.Header.Set("Authorization", "Bearer mr-not-a-key")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	cancel()
	requireServeStopped(t, done, 20*time.Second)

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var rows int
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&rows))
	assert.Zero(t, rows, "refused keys write no decision rows")

	lines := grep(logs.String(), refusedlog.Message) + "\n"
	assert.Equal(t, 2, strings.Count(lines, refusedlog.Message), "a line at the first call and one at stop, not one per call:\n%s", lines)
	assert.Contains(t, lines, "client=203.0.113.9 refused=1 reason=unauthorized route=/v1/chat/completions proxy=127.0.0.1\n")
	assert.Contains(t, lines, fmt.Sprintf("client=203.0.113.9 refused=%d reason=unauthorized route=/v1/chat/completions proxy=127.0.0.1\n", flood-1))
	assert.NotContains(t, logs.String(), "mr-not-a-key")
}
