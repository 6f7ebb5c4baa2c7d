package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A shutdown whose grace runs out with a call open on each client API (a
// Chat Completions, a Messages and a Responses stream under way, a
// background response's stream, a call not yet answered) ends each the
// way its client can tell from a whole answer, in that API's own shape,
// and logs each once, as the gateway's cut (503): no row lost, none twice.
func TestServeEndsAnOpenCallOnEachAPIAtShutdownInItsShapeAndLogsEachOnce(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	m, ok := cat.Model("gpt-4o-2024-11-20")
	require.True(t, ok)
	fake := upstreamtest.NewOpenAI(t)
	// Five events, then nothing: every stream's answer has begun (a
	// Responses one's first text comes at its fifth event).
	fake.Set(m.UpstreamModel, upstreamtest.Behavior{Reply: "one two three four five six seven eight", Stall: true, StallAfter: 5})
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	base, stop, done := startServe(t, fake, db, func(o *serveOptions) {
		o.grace = 200 * time.Millisecond
		o.rateLimits = false
	})
	pin := fmt.Sprintf(`"model":"model-router","routing_config":{"models":[%q]}`, m.ID)
	calls := []struct {
		name, path, body string
		stream           bool
		// ends are what the client's body must hold once it ends; not
		// what it must not.
		ends []string
		not  []string
	}{
		{"chat stream", "/v1/chat/completions", `{` + pin + `,"stream":true,"messages":[{"role":"user","content":"count"}]}`, true,
			[]string{`data: {"error":{"code":"server_shutting_down"`}, []string{"[DONE]", `"finish_reason":"stop"`}},
		{"messages stream", "/v1/messages", `{` + pin + `,"max_tokens":100,"stream":true,"messages":[{"role":"user","content":"count"}]}`, true,
			[]string{"event: error\ndata: {\"error\":{", "shutting down"}, []string{"message_stop"}},
		{"responses stream", "/v1/responses", `{` + pin + `,"stream":true,"input":"count"}`, true,
			[]string{"event: error\ndata: {\"code\":\"server_shutting_down\""}, []string{"response.completed"}},
		{"background responses stream", "/v1/responses", `{` + pin + `,"stream":true,"background":true,"input":"count"}`, true,
			[]string{"event: error\ndata: {\"code\":\"server_shutting_down\"", "starting_after"}, []string{"response.completed", "retry the request"}},
		{"chat, not streamed", "/v1/chat/completions", `{` + pin + `,"messages":[{"role":"user","content":"count"}]}`, false,
			[]string{`"code":"server_shutting_down"`}, nil},
	}
	type ended struct {
		status int
		body   string
		err    error
	}
	results := make([]chan ended, len(calls))
	for i, c := range calls {
		results[i] = make(chan ended, 1)
		begun := make(chan struct{})
		go func() {
			resp, err := http.Post(base+c.path, "application/json", strings.NewReader(c.body))
			if err != nil {
				close(begun)
				results[i] <- ended{err: err}
				return
			}
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			first := ""
			if c.stream {
				first, err = r.ReadString('\n') // the stream is under way
			}
			close(begun)
			rest, rerr := io.ReadAll(r)
			results[i] <- ended{status: resp.StatusCode, body: first + string(rest), err: errorsJoin(err, rerr)}
		}()
		if c.stream {
			select {
			case <-begun:
			case <-time.After(10 * time.Second): // hang guard
				t.Fatalf("%s: the stream did not begin", c.name)
			}
		}
	}
	// Every call has reached the provider before the shutdown.
	require.Eventually(t, func() bool { return len(fake.RequestsFor(m.UpstreamModel)) == len(calls) },
		10*time.Second, 5*time.Millisecond)

	stop()
	for i, c := range calls {
		select {
		case got := <-results[i]:
			require.NoError(t, got.err, "%s: the gateway ends its answer, it does not drop the connection", c.name)
			if c.stream {
				assert.Equal(t, http.StatusOK, got.status, c.name)
			} else {
				assert.Equal(t, http.StatusServiceUnavailable, got.status, c.name)
			}
			for _, want := range c.ends {
				assert.Contains(t, got.body, want, "%s ends:\n%s", c.name, got.body[max(0, len(got.body)-400):])
			}
			for _, not := range c.not {
				assert.NotContains(t, got.body, not, c.name)
			}
		case <-time.After(30 * time.Second): // hang guard
			t.Fatalf("%s: no end", c.name)
		}
	}
	requireServeStopped(t, done, 30*time.Second)

	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	rows, err := sqlDB.Query(`SELECT api, stream, status, error_code FROM decisions ORDER BY api, stream`)
	require.NoError(t, err)
	defer rows.Close()
	var logged []string
	for rows.Next() {
		var api, code string
		var stream bool
		var status int
		require.NoError(t, rows.Scan(&api, &stream, &status, &code))
		logged = append(logged, fmt.Sprintf("%s stream=%t %d %s", api, stream, status, code))
	}
	require.NoError(t, rows.Err())
	assert.ElementsMatch(t, []string{
		"chat.completions stream=false 503 unavailable",
		"chat.completions stream=true 503 unavailable",
		"messages stream=true 503 unavailable",
		"responses stream=true 503 unavailable",
		"responses stream=true 503 unavailable",
	}, logged, "one row per call, each the gateway's cut")
}

// errorsJoin is the first of two errors that is not nil.
func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
