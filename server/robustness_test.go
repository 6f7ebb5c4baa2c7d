package server

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/server/ratelimit"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// The affinity table keeps up to 100,000 session keys for --affinity-ttl
// (1 h); a key made of the client's raw strings (the x-session-id header,
// or `user` plus the opening hash) would let each request park megabytes
// there, so the key is a fixed-size digest.
func TestSessionKeysTakeFixedMemory(t *testing.T) {
	s, _, _ := newTestServer(t, func(c *Config) { c.Log = nil })
	h := s.Handler()
	const n, size = 48, 1 << 20 // 48 requests with a 1 MiB user each
	before := heapInUse()
	for i := range n {
		user := fmt.Sprintf("%d-%s", i, strings.Repeat("u", size))
		body := fmt.Sprintf(`{"model":"model-router","user":%q,"routing_config":{"session_affinity":true},"messages":[{"role":"user","content":"hi"}]}`, user)
		w := do(h, http.MethodPost, "/v1/route", body)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	}
	grown := int64(heapInUse()) - int64(before)
	runtime.KeepAlive(s)
	t.Logf("heap retained after %d requests: %.1f MiB", n, float64(grown)/(1<<20))
	assert.Less(t, grown, int64(8<<20),
		"the router keeps every client-chosen session key whole: %d requests of 1 MiB kept %.1f MiB alive", n, float64(grown)/(1<<20))
}

// A call is charged its estimate up front and settled with the usage the
// upstream reported. A stream whose client disconnects before the last
// chunk (OpenAI sends usage only in the last one), or from a server that
// ignores stream_options.include_usage, reports none, yet was produced and
// billed: it is settled (and logged, marked) at the estimate, not refunded,
// or a client could stream without ever spending the deployment's tokens
// per minute.
func TestStreamWithoutUsageIsChargedItsEstimate(t *testing.T) {
	body := `{"model":"model-router","stream":true,"routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"Write a long story."}]}`
	remaining := func(t *testing.T, e *e2e, disconnect bool) int {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		resp := e.openStream(t, ctx, body)
		defer resp.Body.Close()
		n, err := strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-tokens"))
		require.NoError(t, err)
		if disconnect {
			line, err := bufio.NewReader(resp.Body).ReadString('\n') // the first event: the answer is under way
			require.NoError(t, err, line)
			cancel()
		} else {
			_, _ = io.ReadAll(resp.Body)
		}
		return n
	}
	for _, tc := range []struct {
		name       string
		behavior   upstreamtest.Behavior
		disconnect bool
	}{
		{"client disconnects mid-stream", upstreamtest.Behavior{Stall: true, StallAfter: 3}, true},
		{"provider sends no stream usage", upstreamtest.Behavior{NoStreamUsage: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frozen := time.Unix(1_800_000_000, 0)
			e := newE2E(t, func(c *Config) { c.Limiter = ratelimit.New(func() time.Time { return frozen }) })
			e.openai.Set("mini", tc.behavior)
			first := remaining(t, e, tc.disconnect)
			e.log.waitFor(t, 1) // finished and settled
			second := remaining(t, e, tc.disconnect)
			e.log.waitFor(t, 2)
			recs := e.log.all()
			assert.Less(t, second, first,
				"the clock did not move: the first streamed answer must have cost the deployment its estimate")
			assert.True(t, recs[0].UsageEstimated)
			assert.Positive(t, recs[0].Usage.PromptTokens)
			assert.Positive(t, recs[0].Usage.CompletionTokens)
			assert.Positive(t, recs[0].CostUSD, "and the log does not show it as free")
		})
	}
}

// A deployment name longer than any can be (64 characters) is refused
// before it is looked up, and neither logged nor echoed whole: a 404 call
// must not write --max-body bytes into the decision log's deployment
// column, or send them back.
func TestOverlongDeploymentNameIsNeitherLoggedNorEchoedWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.db")
	st, err := store.Open(path)
	require.NoError(t, err)
	s, _, _ := newTestServer(t, func(c *Config) { c.Log = st.Log() })
	name := strings.Repeat("x", 4<<20)
	w := do(s.Handler(), http.MethodPost, "/v1/chat/completions",
		`{"model":"`+name+`","messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusNotFound, w.Code)
	require.NoError(t, st.Close())

	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT max(length(deployment)) FROM decisions`).Scan(&n))
	assert.LessOrEqual(t, n, 64, "a refused call wrote its %d-byte model string into the decision log", n)
	assert.LessOrEqual(t, w.Body.Len(), 4096, "and echoed it in the 404 (%d bytes)", w.Body.Len())
}

// /metrics labels a request with its deployment only once the deployment
// was found: a lookup that fails any way (a client that disconnects while
// manage.Source reads the store, a failing store) must not turn a made-up
// name into a series of every metric family, for ever.
func TestMetricsLabelOnlyDeploymentsThatExist(t *testing.T) {
	labelled := func(met *metrics.Metrics) []string {
		w := httptest.NewRecorder()
		met.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		var out []string
		for _, l := range strings.Split(w.Body.String(), "\n") {
			if strings.HasPrefix(l, "modelrouter_requests_total") && strings.Contains(l, `deployment="made-up-`) {
				out = append(out, l)
			}
		}
		return out
	}
	gone := func(h http.Handler, name string) {
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/chat/completions",
			strings.NewReader(`{"model":"`+name+`","messages":[{"role":"user","content":"hi"}]}`))
		req.Host = loopbackHost
		cancel() // the client left while the deployment was being looked up
		h.ServeHTTP(httptest.NewRecorder(), req)
	}

	t.Run("serve's deployment source, client gone during a snapshot reload", func(t *testing.T) {
		st, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
		require.NoError(t, err)
		defer st.Close()
		met := metrics.New()
		s, _, _ := newTestServer(t, func(c *Config) {
			c.Observer = met
			c.Deployments = manage.NewSource(st, testCatalog())
		})
		for i := range 3 {
			gone(s.Handler(), fmt.Sprintf("made-up-%d", i))
		}
		assert.Empty(t, labelled(met), "caller-chosen deployment names became metric labels")
	})
	t.Run("store failing", func(t *testing.T) {
		met := metrics.New()
		s, _, _ := newTestServer(t, func(c *Config) {
			c.Observer = met
			c.Deployments = ctxDeployments{}
		})
		do(s.Handler(), http.MethodPost, "/v1/chat/completions", `{"model":"made-up-db-error","messages":[{"role":"user","content":"hi"}]}`)
		assert.Empty(t, labelled(met), "caller-chosen deployment names became metric labels")
	})
}

// ctxDeployments reads a store the way manage.Source does when its snapshot
// is stale: with the request's context. A name containing "db-error" meets
// a failing store.
type ctxDeployments struct{}

func (ctxDeployments) Get(ctx context.Context, name string) (router.Deployment, error) {
	if err := ctx.Err(); err != nil {
		return router.Deployment{}, fmt.Errorf("list deployments: %w", err)
	}
	if strings.Contains(name, "db-error") {
		return router.Deployment{}, errors.New("list deployments: database is locked")
	}
	if name == DefaultDeploymentName {
		return DefaultDeployment("v1"), nil
	}
	return router.Deployment{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
}

func (ctxDeployments) List(context.Context) ([]router.Deployment, error) {
	return []router.Deployment{DefaultDeployment("v1")}, nil
}

// A continuation of a kept (Claude) answer is rebuilt from every earlier
// turn of its conversation, each of which passed --max-body alone; the
// rebuilt body is bounded by it too (413, previous_response_id), or a
// conversation of turns just under the limit would make every later small
// call read, build and send turns × max-body bytes.
func TestContinuationIsBoundedByMaxBody(t *testing.T) {
	const limit = 1 << 20
	kept := &memResponses{}
	prev := ""
	for i := range 4 { // four turns the gateway accepted and kept, each under the limit
		// An image is what fits: it counts 765 tokens whatever its size.
		img := "data:image/png;base64," + strings.Repeat("A", limit-4096)
		id := fmt.Sprintf("resp_turn%d", i)
		require.NoError(t, kept.PutResponse(context.Background(), StoredResponse{ID: id, PreviousID: prev, Model: "claude",
			Input:  json.RawMessage(`[{"role":"user","content":[{"type":"input_text","text":"what is this?"},{"type":"input_image","image_url":"` + img + `"}]}]`),
			Output: json.RawMessage(`[{"role":"assistant","content":"ok"}]`)}))
		prev = id
	}
	s, _, fwd := newTestServer(t, func(c *Config) { c.Responses = kept; c.MaxBodyBytes = limit })
	w := do(s.Handler(), http.MethodPost, "/v1/responses",
		`{"model":"model-router","previous_response_id":"resp_turn3","input":"and then?"}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"param":"previous_response_id"`)
	assert.Nil(t, fwd.lastCall.Load(), "nothing was forwarded")

	// The first turn alone fits, and is continued.
	w = do(s.Handler(), http.MethodPost, "/v1/responses",
		`{"model":"model-router","previous_response_id":"resp_turn0","input":"and then?"}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.NotNil(t, fwd.lastCall.Load())
}

// A mounted API's internal error (the management API's failing store) is
// logged with the request id: its client only sees "Internal error.".
func TestMountedHandlersInternalErrorsAreLogged(t *testing.T) {
	var logs strings.Builder
	s, _, _ := newTestServer(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.Mount = func(e *gin.Engine) {
			e.GET("/deployments", func(c *gin.Context) {
				_ = c.Error(errors.New("list deployments: disk I/O error"))
				c.AbortWithStatus(http.StatusInternalServerError)
			})
		}
	})
	w := do(s.Handler(), http.MethodGet, "/deployments", "")
	require.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, logs.String(), "disk I/O error")
	assert.Contains(t, logs.String(), "request_id=")
}

// A deployment name no deployment could have (control characters, a
// leading "=") is a 404 that, like the log, quotes it: neither a terminal
// nor a spreadsheet reading them gets it as it came.
func TestImpossibleDeploymentNameIsQuoted(t *testing.T) {
	s, log, _ := newTestServer(t, nil)
	for _, name := range []string{"x\u001b]0;pwned\u0007", `=HYPERLINK("http://x")`} {
		body, err := json.Marshal(map[string]any{"model": name, "messages": []map[string]string{{"role": "user", "content": "hi"}}})
		require.NoError(t, err)
		w := do(s.Handler(), http.MethodPost, "/v1/chat/completions", string(body))
		require.Equal(t, http.StatusNotFound, w.Code)
		assert.NotContains(t, w.Body.String(), "\u001b")
		recs := log.all()
		got := recs[len(recs)-1].Decision.Deployment
		assert.Equal(t, strconv.QuoteToASCII(name), got)
	}
}
