package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// manyCallsAPI is one client API as the concurrency test sends it: its
// path, a body for a model, and what ends a whole streamed answer and a
// stream broken off by the gateway in that API's shape.
type manyCallsAPI struct {
	name, path  string
	body        func(model string, stream bool) string
	done, error string
}

var manyCallsAPIs = []manyCallsAPI{
	{"chat", "/v1/chat/completions", func(m string, s bool) string {
		return fmt.Sprintf(`{"model":"model-router","stream":%t,"routing_config":{"models":[%q]},"messages":[{"role":"user","content":"tell me a story"}]}`, s, m)
	}, "data: [DONE]", `data: {"error":`},
	{"messages", "/v1/messages", func(m string, s bool) string {
		return fmt.Sprintf(`{"model":"model-router","max_tokens":200,"stream":%t,"routing_config":{"models":[%q]},"messages":[{"role":"user","content":"tell me a story"}]}`, s, m)
	}, "event: message_stop", "event: error"},
	{"responses", "/v1/responses", func(m string, s bool) string {
		return fmt.Sprintf(`{"model":"model-router","stream":%t,"routing_config":{"models":[%q]},"input":"tell me a story"}`, s, m)
	}, "event: response.completed", "event: error"},
}

// manyCallsCase is how one call goes: the model it is pinned to (each
// misbehaves its own way), streamed or not, whether its client leaves
// after the first line, and the status its row must have.
type manyCallsCase struct {
	model  string
	stream bool
	leaves bool
	status int
	// begun, when set, is sent to once the answer's headers have come: a
	// stream's, once its first event is on its way to the client.
	begun chan<- struct{}
}

var manyCallsCases = []manyCallsCase{
	{model: "mini", stream: true, status: http.StatusOK},                    // slow, whole
	{model: "mini", stream: false, status: http.StatusOK},                   // slow, one JSON answer
	{model: "claude", stream: true, status: http.StatusOK},                  // slow, Anthropic's provider
	{model: "claude", stream: false, status: http.StatusOK},                 // slow JSON from Claude
	{model: "large", stream: true, status: http.StatusBadGateway},           // connection reset halfway
	{model: "large", stream: false, status: http.StatusOK},                  // (a reset touches streams only)
	{model: "nano", stream: true, leaves: true, status: statusClientClosed}, // stalls halfway, its client leaves
}

// Many calls at once to slow providers, on every client API, some whole,
// some broken halfway by a reset connection, some left by their clients
// while their provider has gone silent, must each end, each be logged once with the
// status its end deserves, and leave nothing running behind them: a
// goroutine left per call (a stream's reader, a timer's callback blocked,
// a watcher of the shutdown context never unhooked) is a leak that grows
// with traffic until the gateway runs out of memory. The count is compared
// once the connections the calls opened are closed, waiting for it to
// settle rather than for a fixed time.
func TestManyConcurrentCallsLeaveNoGoroutinesBehind(t *testing.T) {
	const callers = 200
	reply := strings.Repeat("word ", 30)
	gatewayToProviders := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	// Set as serve sets it: every call watches for the shutdown.
	drain, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	e := newE2E(t, func(c *Config) {
		fwd := c.Forwarder.(*upstream.Forwarder)
		fwd.Client = gatewayToProviders
		fwd.Drain = drain
		c.Drain = drain
	})
	slow := upstreamtest.Behavior{Reply: reply, Pace: 2 * time.Millisecond}
	e.openai.Set("mini", slow)
	e.anthropic.Set("claude", slow)
	e.openai.Set("large", upstreamtest.Behavior{Reply: reply, Pace: 2 * time.Millisecond, CutAfter: 8})
	e.openai.Set("nano", upstreamtest.Behavior{Reply: reply, Stall: true, StallAfter: 8})
	clientSide := &http.Transport{MaxIdleConnsPerHost: callers}
	client := &http.Client{Transport: clientSide}

	// One call of each kind first, so the goroutines that live as long as
	// the gateway (its bookings worker, the fakes' servers) are counted
	// in the baseline rather than taken for a leak.
	for _, api := range manyCallsAPIs {
		for _, c := range manyCallsCases {
			manyCallsOne(t, client, e.url, api, c)
		}
	}
	e.log.waitFor(t, len(manyCallsAPIs)*len(manyCallsCases))
	closeIdle(clientSide, gatewayToProviders)
	base := settledGoroutines(0, 0)

	var wg sync.WaitGroup
	for i := range callers {
		api := manyCallsAPIs[i%len(manyCallsAPIs)]
		c := manyCallsCases[(i/len(manyCallsAPIs))%len(manyCallsCases)]
		wg.Go(func() { manyCallsOne(t, client, e.url, api, c) })
	}
	wg.Wait()
	warm := len(manyCallsAPIs) * len(manyCallsCases)
	recs := e.log.waitFor(t, warm+callers)
	require.Len(t, recs, warm+callers, "one decision row per call, none twice")
	want, got := map[int]int{}, map[int]int{}
	for i := range callers {
		want[manyCallsCases[(i/len(manyCallsAPIs))%len(manyCallsCases)].status]++
	}
	for _, r := range recs[warm:] {
		got[r.Status]++
	}
	assert.Equal(t, want, got, "the rows' statuses: each call logged as it ended")
	closeIdle(clientSide, gatewayToProviders)

	requireGoroutinesBackTo(t, base, callers)
}

// Calls still open when a shutdown's grace runs out (the Drain ends them:
// streams under way, calls not yet answered) end with the gateway's cut
// on every API, are logged once each as 503, and leave nothing running
// behind them either.
func TestCallsCutAtShutdownLeaveNoGoroutinesBehind(t *testing.T) {
	const perKind = 10
	gatewayToProviders := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	drain, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	e := newE2E(t, func(c *Config) {
		fwd := c.Forwarder.(*upstream.Forwarder)
		fwd.Client = gatewayToProviders
		fwd.Drain = drain
		c.Drain = drain
	})
	e.openai.Set("nano", upstreamtest.Behavior{Reply: strings.Repeat("word ", 30), Stall: true, StallAfter: 8})
	clientSide := &http.Transport{}
	client := &http.Client{Transport: clientSide}
	for _, api := range manyCallsAPIs { // the baseline counts what lives as long as the gateway
		manyCallsOne(t, client, e.url, api, manyCallsCase{model: "mini", stream: true, status: http.StatusOK})
	}
	e.log.waitFor(t, len(manyCallsAPIs))
	closeIdle(clientSide, gatewayToProviders)
	base := settledGoroutines(0, 0)

	streamsBegun := make(chan struct{}, perKind*len(manyCallsAPIs))
	cut := []manyCallsCase{
		{model: "nano", stream: true, status: http.StatusServiceUnavailable, begun: streamsBegun}, // under way: its API's error event
		{model: "nano", stream: false, status: http.StatusServiceUnavailable},                     // not yet answered: a 503
	}
	var wg sync.WaitGroup
	calls := 0
	for _, api := range manyCallsAPIs {
		for _, c := range cut {
			for range perKind {
				calls++
				wg.Go(func() { manyCallsOne(t, client, e.url, api, c) })
			}
		}
	}
	require.Eventually(t, func() bool { return len(e.openai.RequestsFor("nano")) == calls },
		10*time.Second, 5*time.Millisecond, "every call under way at the provider")
	// A call at the provider whose stream has not yet reached its client
	// is not answered yet, and the cut gives it a 503: wait for each
	// stream's first event before the shutdown, so the streams are cut
	// halfway, as the case says.
	for range cap(streamsBegun) {
		select {
		case <-streamsBegun:
		case <-time.After(10 * time.Second):
			t.Fatal("a stream's first event did not reach its client")
		}
	}
	shutdown()
	wg.Wait()
	recs := e.log.waitFor(t, len(manyCallsAPIs)+calls)
	require.Len(t, recs, len(manyCallsAPIs)+calls, "one decision row per call, none twice")
	for _, r := range recs[len(manyCallsAPIs):] {
		assert.Equal(t, http.StatusServiceUnavailable, r.Status, "the gateway's cut: %s", r.ErrorCode)
	}
	closeIdle(clientSide, gatewayToProviders)
	requireGoroutinesBackTo(t, base, calls)
}

// requireGoroutinesBackTo fails the test, with a goroutine dump, when the
// count does not settle back to base once calls have ended.
func requireGoroutinesBackTo(t *testing.T, base, calls int) {
	t.Helper()
	after := settledGoroutines(base, 10*time.Second)
	if after > base {
		var dump strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&dump, 1)
		t.Fatalf("%d goroutines before %d calls, %d once they ended and their connections closed:\n%s", base, calls, after, dump.String())
	}
}

// manyCallsOne sends one call and checks how it ended; its decision row is
// checked by the status the call's case expects, through the answer.
func manyCallsOne(t *testing.T, client *http.Client, url string, api manyCallsAPI, c manyCallsCase) {
	ctx, leave := context.WithCancel(context.Background())
	defer leave()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+api.path, strings.NewReader(api.body(c.model, c.stream)))
	if !assert.NoError(t, err) {
		return
	}
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if !assert.NoError(t, err, "%s %+v", api.name, c) {
		return
	}
	defer resp.Body.Close()
	if c.begun != nil {
		c.begun <- struct{}{}
	}
	if c.leaves {
		_, _ = bufio.NewReader(resp.Body).ReadString('\n')
		leave()
		return
	}
	body, err := io.ReadAll(resp.Body)
	assert.NoError(t, err, "%s %+v: the gateway ends its answer, it does not drop the connection", api.name, c)
	text := string(body)
	switch {
	case !c.stream:
		assert.Equal(t, c.status, resp.StatusCode, "%s %+v: %s", api.name, c, text)
	case c.status == http.StatusOK:
		assert.Contains(t, text, api.done, "%s %+v: a whole answer ends as its API ends one: %s", api.name, c, tail(text))
	default:
		assert.Contains(t, text, api.error, "%s %+v: a stream broken halfway ends with its API's error event: %s", api.name, c, tail(text))
		assert.NotContains(t, text, api.done, "%s %+v", api.name, c)
	}
}

func closeIdle(transports ...interface{ CloseIdleConnections() }) {
	for _, tr := range transports {
		tr.CloseIdleConnections()
	}
}

// settledGoroutines waits, up to patience, until the goroutine count is at
// most want (connections just closed take a moment to unwind), and returns
// the count then. With no patience it waits for the count to stop falling.
func settledGoroutines(want int, patience time.Duration) int {
	if patience == 0 {
		n := runtime.NumGoroutine()
		for range 50 {
			time.Sleep(20 * time.Millisecond)
			m := runtime.NumGoroutine()
			if m >= n {
				return m
			}
			n = m
		}
		return n
	}
	deadline := time.Now().Add(patience)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func tail(s string) string { return s[max(0, len(s)-400):] }
