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
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// fixedPredictor predicts the same for every catalog profile, so routing is
// deterministic without the ONNX runtime.
func fixedPredictor(t *testing.T) *routertest.Predictor {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	p := router.Prediction{}
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			p[m.Profile] = router.Estimate{Quality: 0.8, OutputTokens: 50}
		}
	}
	return &routertest.Predictor{Fixed: p}
}

// startServe runs serve on a loopback port against fake upstreams and
// returns its base URL, the context cancel that stops it, and the channel
// serve's result arrives on.
func startServe(t *testing.T, fake *upstreamtest.Fake, db string, mutate func(*serveOptions)) (string, context.CancelFunc, <-chan error) {
	t.Helper()
	addr := make(chan string, 1)
	o := serveOptions{
		addr: "127.0.0.1:0", db: db, grace: 10 * time.Second, maxBody: 1 << 20,
		environ:   []string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=" + fake.URL, "MODELROUTER_UPSTREAM_DEFAULT_API_KEY=sk-upstream"},
		predictor: fixedPredictor(t),
		listening: func(a string) { addr <- a },
		logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mutate != nil {
		mutate(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o) }()
	select {
	case a := <-addr:
		t.Cleanup(cancel)
		return "http://" + a, cancel, done
	case err := <-done:
		cancel()
		t.Fatalf("serve exited: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return "", nil, nil
}

// requireServeStopped waits, at most within (a hang guard, not a measure),
// for serve's result on done, which must be a clean stop.
func requireServeStopped(t *testing.T, done <-chan error, within time.Duration) {
	t.Helper()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(within):
		t.Fatal("serve did not stop")
	}
}

// TestServeShutdownLogsEveryRequest sends a burst of slow requests, shuts
// the server down while they are in flight, and checks that every one was
// answered and has its row in SQLite once serve returns.
func TestServeShutdownLogsEveryRequest(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	cat, err := models.Catalog()
	require.NoError(t, err)
	for _, v := range cat.Versions {
		for _, m := range v.Models {
			fake.Set(m.UpstreamModel, upstreamtest.Behavior{Delay: 300 * time.Millisecond})
			fake.Set(m.Name, upstreamtest.Behavior{Delay: 300 * time.Millisecond})
		}
	}
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	// Rate limits off: the default deployment's 60 requests per minute
	// would refuse most of the burst.
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) { o.rateLimits = false })

	const n = 40
	bodies := []string{
		`{"model":"model-router","messages":[{"role":"user","content":"hello number %d"}]}`,
		`{"model":"model-router","stream":true,"messages":[{"role":"user","content":"stream number %d"}]}`,
		`{"model":"no-such-deployment","messages":[{"role":"user","content":"lost %d"}]}`,
		`{"model":"model-router","messages":[{"role":"user","content":"route only %d"}]}`,
	}
	paths := []string{"/v1/chat/completions", "/v1/chat/completions", "/v1/chat/completions", "/v1/route"}
	wantStatus := []int{200, 200, 404, 200}
	var wg sync.WaitGroup
	var fastDone atomic.Int32
	statuses := make([]int, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i % len(bodies)
			if k >= 2 { // not forwarded: answered at once
				defer fastDone.Add(1)
			}
			resp, err := http.Post(base+paths[k], "application/json", bytes.NewBufferString(fmt.Sprintf(bodies[k], i)))
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			_, errs[i] = io.ReadAll(resp.Body)
			statuses[i] = resp.StatusCode
		}()
	}
	// Shut down while the forwarded requests are still waiting upstream,
	// once every request has reached the server: a request the client
	// sends on a kept-alive connection as shutdown closes it never arrives
	// (Go's client does not retry a POST), which no server can answer.
	forwarded := n / 2
	require.Eventually(t, func() bool {
		return len(fake.Requests()) >= forwarded && int(fastDone.Load()) == n-forwarded
	}, 10*time.Second, 5*time.Millisecond)
	stop()
	wg.Wait()
	require.NoError(t, <-done)

	for i := range n {
		require.NoError(t, errs[i], "request %d", i)
		assert.Equal(t, wantStatus[i%len(bodies)], statuses[i], "request %d", i)
	}
	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	var rows int
	require.NoError(t, sqlDB.QueryRow(`SELECT COUNT(*) FROM decisions`).Scan(&rows))
	assert.Equal(t, n, rows, "one decision row per request, none lost at shutdown")

	_, err = http.Post(base+"/v1/chat/completions", "application/json", bytes.NewBufferString(bodies[0]))
	assert.Error(t, err, "no new connections after shutdown")
}

func TestServeRequiresKeysOffLoopback(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, _, _ := startServe(t, fake, db, func(o *serveOptions) { o.requireKeys = true })
	resp, err := http.Post(base+"/v1/route", "application/json",
		bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	resp, err = http.Get(base + "/readyz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "probes need no key")
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:8080": true, "[::1]:8080": true,
		":8080": false, "0.0.0.0:8080": false, "10.0.0.5:8080": false, "bad": false,
	} {
		assert.Equal(t, want, isLoopback(addr), addr)
	}
}

// TestServeExportsDecisionLogCounters: /metrics shows the decision log's
// rows and commits, so an operator can see rows waiting or lost and how
// many rows each commit carries.
func TestServeExportsDecisionLogCounters(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), nil)
	const n = 3
	for i := range n {
		resp, err := http.Post(base+"/v1/chat/completions", "application/json",
			bytes.NewReader(fmt.Appendf(nil, `{"model":"model-router","messages":[{"role":"user","content":"hello %d"}]}`, i)))
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	var scrape string
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		scrape = string(b)
		return strings.Contains(scrape, fmt.Sprintf("modelrouter_decision_log_rows_total{outcome=\"written\"} %d\n", n))
	}, 5*time.Second, 10*time.Millisecond, "every row written")
	assert.Contains(t, scrape, "modelrouter_decision_log_pending_rows 0\n")
	assert.Regexp(t, `modelrouter_decision_log_commits_total [1-9]`, scrape)
	// serve wires the kept answers' queue to /metrics too.
	assert.Contains(t, scrape, "modelrouter_kept_answers_pending 0\n")
	assert.Contains(t, scrape, "modelrouter_kept_answers_given_up_total 0\n")
}
