package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// When --grace runs out, serve cuts the open connections; the handlers it
// cuts still have to unwind and send their records, and the decision log
// must not close before they have (http.Server.Close does not wait for
// handlers), or their rows are dropped. It was a race (about 4 rounds in
// 10 lost a row on the 2-core VM), so the shutdown runs many times.
func TestServeKeepsTheRowsOfStreamsCutAtShutdown(t *testing.T) {
	fake := stallingUpstream(t)
	const rounds, n = 20, 32
	for round := range rounds {
		var logs syncBuffer
		db := filepath.Join(t.TempDir(), fmt.Sprintf("round%d.db", round))
		base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
			o.grace = 100 * time.Millisecond
			o.rateLimits = false
			o.logger = slog.New(slog.NewTextHandler(&logs, nil))
		})
		var bodies []*http.Response
		for range n {
			resp, err := http.Post(base+"/v1/chat/completions", "application/json",
				strings.NewReader(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}`))
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			_, err = bufio.NewReader(resp.Body).ReadString('\n') // the stream is under way
			require.NoError(t, err)
			bodies = append(bodies, resp)
		}
		stop()
		require.NoError(t, <-done)
		for _, b := range bodies {
			b.Body.Close()
		}

		sqlDB, err := sql.Open("sqlite3", db)
		require.NoError(t, err)
		var rows int
		require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&rows))
		sqlDB.Close()
		require.Equal(t, n, rows, "round %d: streams cut at the end of the grace period have no decision row; server log:\n%s", round, grep(logs.String(), "record dropped"))
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func grep(text, what string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, what) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A second Ctrl-C during shutdown cuts the open requests at once instead of
// waiting out --grace: the stream's client is told, the rows are still
// written, the log says so in one line, and serve ends with the exit
// status of a command its signal ended (130 for SIGINT), not 0.
func TestServeCutsOpenRequestsOnASecondSignal(t *testing.T) {
	fake := stallingUpstream(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	again := make(chan os.Signal, 1)
	var logs syncBuffer
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.grace = time.Minute
		o.again = again
		o.logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)

	stop() // the first signal: a minute's grace
	select {
	case err := <-done:
		t.Fatalf("serve returned before the stream ended or a second signal: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	start := time.Now()
	again <- os.Interrupt
	select {
	case err := <-done:
		require.Error(t, err, "a shutdown cut short is no clean stop")
		assert.Equal(t, 130, exitCode(err), "the exit status of a command SIGINT ended")
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop on the second signal")
	}
	assert.Less(t, time.Since(start), 10*time.Second)
	rest, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(rest), "server_shutting_down", "the cut stream's client is told")
	assert.Len(t, strings.Split(grep(logs.String(), "second signal"), "\n"), 1, "one line says what the second signal did:\n%s", logs.String())
	assert.NotContains(t, logs.String(), "grace period over", "the grace did not run out")

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var rows int
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&rows))
	assert.Equal(t, 1, rows, "the cut stream's row is written")
}

// A real second SIGTERM reaches serve's shutdown (not only the test's
// stand-in channel): serve stops at once with status 143.
func TestServeStopsAtOnceOnASecondSIGTERM(t *testing.T) {
	// The test's own listener keeps a SIGTERM from ending the test
	// process, whatever serve has registered at the time.
	guard := make(chan os.Signal, 4)
	signal.Notify(guard, syscall.SIGTERM)
	defer signal.Stop(guard)

	fake := stallingUpstream(t)
	var logs syncBuffer
	base, stop, done := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.grace = time.Minute
		o.logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"tell me a long story"}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	_, err = bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)

	stop() // the first signal, as main's signal context gives it
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "shutting down") }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case err := <-done:
		assert.Equal(t, 143, exitCode(err), "the exit status of a command SIGTERM ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on a second SIGTERM")
	}
	assert.Contains(t, logs.String(), "second signal")
}

// stallingUpstream is an OpenAI fake on which every catalog model starts a
// long answer: two events, then nothing until the call is cancelled.
func stallingUpstream(t *testing.T) *upstreamtest.Fake {
	t.Helper()
	fake := upstreamtest.NewOpenAI(t)
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			fake.Set(m.UpstreamModel, upstreamtest.Behavior{Stall: true, StallAfter: 2})
			fake.Set(m.Name, upstreamtest.Behavior{Stall: true, StallAfter: 2})
		}
	}
	return fake
}
