package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call whose body is still arriving when --grace runs out is a request
// not yet answered: it gets the gateway's 503 server_shutting_down, and is
// logged so, rather than having its connection closed under it and being
// booked as a client that left (499).
func TestABodyStillArrivingWhenGraceRunsOutIsAnswered503(t *testing.T) {
	fake := stallingUpstream(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.grace = 100 * time.Millisecond
		o.rateLimits = false
	})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	// Expect: 100-continue: the gateway says "100 Continue" once it reads
	// the body, so the call is known to be under way.
	_, err = fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
		"Expect: 100-continue\r\nContent-Length: 1000\r\n\r\n")
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "100 Continue")
	_, err = rd.ReadString('\n') // the blank line that ends it
	require.NoError(t, err)
	_, err = io.WriteString(conn, `{"model":"model-router","messages":[`) // part of the body, then nothing
	require.NoError(t, err)

	stop()
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err, "the call still open at the end of the grace period gets an answer")
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s", answer)
	assert.Contains(t, string(answer), "server_shutting_down")
	requireServeStopped(t, done, 30*time.Second)

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var status int
	require.NoError(t, sqlDB.QueryRow(`SELECT status FROM decisions`).Scan(&status))
	assert.Equal(t, http.StatusServiceUnavailable, status, "the gateway's own cut at shutdown is logged as its own, not as a client that left")
}
