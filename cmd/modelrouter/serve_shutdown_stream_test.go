package main

import (
	"database/sql"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stream still under way when --grace runs out is cut by the gateway.
// The client must be told: an SDK reading a stream that just stops (no
// [DONE], no error event) takes the truncated text for the whole answer.
// So the stream ends with an error event before its connection closes, and
// the decision log books the cut as the gateway's (503), not as a client
// that left (499).
func TestStreamCutAtShutdownEndsWithAnErrorEvent(t *testing.T) {
	fake := stallingUpstream(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.grace = 200 * time.Millisecond
		o.rateLimits = false
	})
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	buf := make([]byte, 1)
	_, err = io.ReadFull(resp.Body, buf) // the stream is under way
	require.NoError(t, err)

	stop()
	rest, _ := io.ReadAll(resp.Body) // to the end, however it ends
	requireServeStopped(t, done, 30*time.Second)
	stream := string(buf) + string(rest)
	require.Contains(t, stream, `"chat.completion.chunk"`, "the stream had begun")
	assert.Contains(t, stream, `data: {"error":{"code":"server_shutting_down"`,
		"the stream cut at shutdown ends without an error event; it ends with:\n%s", stream[max(0, len(stream)-300):])

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var status int
	require.NoError(t, sqlDB.QueryRow(`SELECT status FROM decisions`).Scan(&status))
	assert.Equal(t, http.StatusServiceUnavailable, status, "the gateway's own cut at shutdown is logged as its own, not a client that left")
}
