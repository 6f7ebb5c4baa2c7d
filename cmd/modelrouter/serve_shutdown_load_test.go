package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestServeShutdownUnderLoad drives the real `modelrouter serve` binary
// with many concurrent calls on all three APIs (Chat Completions,
// Responses, Anthropic Messages), streamed and not, some to providers that
// cut their stream or send an error halfway, some from clients that leave
// mid-stream; then it measures goroutines and memory once the calls are
// done, and stops the gateway with SIGTERM while a second wave is under
// way. It checks what a user would: every call gets a whole answer or an
// error in its API's shape, every call the gateway answered has its row in
// the decision log, and the process exits within --grace plus its bounded
// cut. It runs only when asked:
//
//	MODELROUTER_SHUTDOWN_LOAD=300 go test -count=1 -run TestServeShutdownUnderLoad -v ./cmd/modelrouter/
//
// MODELROUTER_SHUTDOWN_LOAD is the number of concurrent callers;
// MODELROUTER_SHUTDOWN_LOAD_FOR (default 5s) how long the first wave runs;
// MODELROUTER_SHUTDOWN_LOAD_GRACE (default 2s) the gateway's --grace;
// MODELROUTER_SHUTDOWN_LOAD_SETTLE (default 5s, at least 2s) how long the
// gateway idles after the first wave before its goroutines are counted
// (past 90s its idle connections to the providers have closed too);
// MODELROUTER_SHUTDOWN_LOAD_HEAP and MODELROUTER_SHUTDOWN_LOAD_DUMP name
// files for a heap profile mid-wave and a goroutine dump after the first
// wave (go tool pprof reads them); MODELROUTER_LOAD_SERVE_BIN runs that
// binary instead of building this tree's.
func TestServeShutdownUnderLoad(t *testing.T) {
	workers, _ := strconv.Atoi(os.Getenv("MODELROUTER_SHUTDOWN_LOAD"))
	if workers <= 0 {
		t.Skip("set MODELROUTER_SHUTDOWN_LOAD=<concurrent callers> to run the shutdown load test")
	}
	classifiertest.RequireRuntime(t)
	waveFor := envDuration("MODELROUTER_SHUTDOWN_LOAD_FOR", 5*time.Second)
	grace := envDuration("MODELROUTER_SHUTDOWN_LOAD_GRACE", 2*time.Second)

	oa, an := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	reply := strings.Repeat("word ", 60)
	for _, f := range []*upstreamtest.Fake{oa, an} {
		for _, m := range loadModels {
			b := upstreamtest.Behavior{Reply: reply, Pace: 5 * time.Millisecond}
			switch m.kind {
			case "cut":
				b.CutAfter = 20
			case "error":
				b.ErrorAfter = 20
			case "slow":
				b.Pace = 100 * time.Millisecond
			}
			f.Set(m.name, b)
			f.Set(m.upstream, b)
		}
	}
	gw := startShutdownServe(t, oa.URL, an.Root, grace)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	defer client.CloseIdleConnections()
	baseG := gw.goroutines(t)
	t.Logf("before load: %d goroutines, %s", baseG, gw.memory())

	calls := drive(client, gw.url, workers, waveFor, func() {
		// Mid-wave: every caller has a call open.
		time.Sleep(waveFor / 2)
		t.Logf("mid wave 1: %d goroutines, %s", gw.goroutines(t), gw.memory())
		if heap := os.Getenv("MODELROUTER_SHUTDOWN_LOAD_HEAP"); heap != "" {
			resp, err := http.Get("http://" + gw.pprof + "/debug/pprof/heap?gc=1")
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, os.WriteFile(heap, b, 0o644))
		}
	})
	summarize(t, "wave 1", calls)
	client.CloseIdleConnections()
	time.Sleep(2 * time.Second)
	t.Logf("after wave 1 (idle 2s): %d goroutines (before: %d), %s", gw.goroutines(t), baseG, gw.memory())
	settle := envDuration("MODELROUTER_SHUTDOWN_LOAD_SETTLE", 5*time.Second)
	time.Sleep(settle - 2*time.Second)
	t.Logf("after wave 1 (idle %v): %d goroutines, %s", settle, gw.goroutines(t), gw.memory())
	if dump := os.Getenv("MODELROUTER_SHUTDOWN_LOAD_DUMP"); dump != "" {
		resp, err := http.Get("http://" + gw.pprof + "/debug/pprof/goroutine?debug=1")
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, os.WriteFile(dump, b, 0o644))
	}

	var sentAt time.Time
	stopAt := 2 * time.Second
	calls2 := drive(client, gw.url, workers, stopAt+grace+5*time.Second, func() {
		time.Sleep(stopAt)
		sentAt = time.Now()
		shuttingDown.Store(true)
		_ = gw.cmd.Process.Signal(syscall.SIGTERM)
	})
	exitErr := <-gw.exited
	t.Logf("serve exited %v after SIGTERM (grace %v): %v", gw.exitedAt.Sub(sentAt).Round(time.Millisecond), grace, exitErr)
	summarize(t, "wave 2 (SIGTERM)", calls2)

	all := append(calls, calls2...)
	db, err := sql.Open("sqlite3", "file:"+gw.db+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows := map[string]bool{}
	r, err := db.Query(`SELECT request_id FROM decisions`)
	require.NoError(t, err)
	for r.Next() {
		var id string
		require.NoError(t, r.Scan(&id))
		rows[id] = true
	}
	require.NoError(t, r.Err())
	missing := 0
	answered := 0
	for _, c := range all {
		if c.id == "" {
			continue
		}
		answered++
		if !rows[c.id] {
			missing++
			if missing <= 5 {
				t.Logf("no row for %s %s stream=%v status %d (%s)", c.api, c.model, c.stream, c.status, c.outcome)
			}
		}
	}
	t.Logf("decision log: %d rows, %d calls answered with an id, %d without a row", len(rows), answered, missing)
	q, err := db.Query(`SELECT api, stream, answered, status, error_code, count(*), sum(completion_tokens), sum(cost_usd IS NULL), sum(completion_tokens = 0), sum(usage_estimated) FROM decisions GROUP BY 1,2,3,4,5 ORDER BY 1,2,3,4,5`)
	require.NoError(t, err)
	for q.Next() {
		var api, model, code string
		var stream, status, n, tokens, nocost, zero, est int
		require.NoError(t, q.Scan(&api, &stream, &model, &status, &code, &n, &tokens, &nocost, &zero, &est))
		t.Logf("  %-16s stream=%d %-28s %d %-24s rows %4d completion_tokens %6d no cost %d zero tokens %d estimated %d", api, stream, model, status, code, n, tokens, nocost, zero, est)
	}
}

// shuttingDown is set as the SIGTERM is sent.
var shuttingDown atomic.Bool

type loadModel struct{ name, upstream, kind string }

// loadModels are the models calls pin, and how their fake provider
// answers: whole, cut halfway, an error event halfway, or slowly (past a
// short --grace).
var loadModels = []loadModel{
	{"gpt-4o-mini", "gpt-4o-mini-2024-07-18", "ok"},
	{"gpt-4.1-nano", "gpt-4.1-nano-2025-04-14", "cut"},
	{"gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", "error"},
	{"gpt-4o", "gpt-4o-2024-11-20", "slow"},
	{"claude-haiku-4-5", "claude-haiku-4-5-20251001", "ok"},
	{"claude-sonnet-4-5", "claude-sonnet-4-5-20250929", "cut"},
	{"claude-opus-4-1", "claude-opus-4-1-20250805", "error"},
	{"claude-opus-4-6", "claude-opus-4-6", "slow"},
}

type loadCall struct {
	api, model string
	stream     bool
	leave      bool // the client left mid-stream on purpose
	id         string
	status     int
	outcome    string // "ok", "error", "cut-by-client", or what was wrong
	bad        bool
}

func drive(client *http.Client, base string, workers int, d time.Duration, during func()) []loadCall {
	var mu sync.Mutex
	var calls []loadCall
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	var stopped atomic.Bool
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for time.Now().Before(deadline) && !stopped.Load() {
				c := oneCall(client, base, rng)
				if c.outcome == "refused" {
					// The gateway stopped listening: no call was made.
					stopped.Store(true)
					continue
				}
				mu.Lock()
				calls = append(calls, c)
				mu.Unlock()
			}
		}()
	}
	if during != nil {
		during()
	}
	wg.Wait()
	return calls
}

func oneCall(client *http.Client, base string, rng *rand.Rand) loadCall {
	apis := []string{"chat", "responses", "messages"}
	c := loadCall{api: apis[rng.IntN(3)], model: loadModels[rng.IntN(len(loadModels))].name, stream: rng.IntN(2) == 0}
	c.leave = c.stream && rng.IntN(8) == 0
	var path, body string
	switch c.api {
	case "chat":
		path = "/v1/chat/completions"
		body = fmt.Sprintf(`{"model":%q,"stream":%v,"messages":[{"role":"user","content":"tell me a story"}]}`, c.model, c.stream)
	case "responses":
		path = "/v1/responses"
		body = fmt.Sprintf(`{"model":%q,"stream":%v,"store":false,"input":"tell me a story"}`, c.model, c.stream)
	case "messages":
		path = "/v1/messages"
		body = fmt.Sprintf(`{"model":%q,"stream":%v,"max_tokens":512,"messages":[{"role":"user","content":"tell me a story"}]}`, c.model, c.stream)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "connection refused") {
			c.outcome = "refused"
			return c
		}
		if shuttingDown.Load() && (errors.Is(err, io.EOF) || strings.Contains(err.Error(), "connection reset") ||
			strings.Contains(err.Error(), "server closed idle connection")) {
			// Sent on a kept-alive connection as the shutdown closed it
			// idle: the gateway never read the call, so it has no row
			// (HTTP/1.1's race; the SDKs retry such a connection error).
			c.outcome = "closed-idle"
			return c
		}
		c.outcome, c.bad = fmt.Sprintf("transport: at %s: %v", time.Now().Format("15:04:05.000"), err), true
		return c
	}
	defer resp.Body.Close()
	c.status, c.id = resp.StatusCode, resp.Header.Get("x-request-id")
	if c.leave && resp.StatusCode == 200 {
		buf := make([]byte, 300)
		_, _ = io.ReadFull(resp.Body, buf)
		cancel()
		c.outcome = "cut-by-client"
		return c
	}
	all, rerr := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		if why := errorShape(c.api, all); why != "" {
			c.outcome, c.bad = fmt.Sprintf("%d: %s: %.200s", resp.StatusCode, why, all), true
		} else {
			c.outcome = fmt.Sprintf("error %d: %.300s", resp.StatusCode, all)
		}
		return c
	}
	if c.stream {
		c.outcome, c.bad = streamEnd(c.api, all)
		if rerr != nil && !c.bad {
			c.outcome += " (then " + rerr.Error() + ")"
		} else if rerr != nil {
			c.outcome += ": " + rerr.Error()
		}
		return c
	}
	if rerr != nil {
		c.outcome, c.bad = "body: "+rerr.Error(), true
		return c
	}
	var v map[string]any
	if json.Unmarshal(all, &v) != nil {
		c.outcome, c.bad = fmt.Sprintf("200 not JSON: %.200s", all), true
		return c
	}
	c.outcome = "ok"
	return c
}

// errorShape says what is wrong with an error body for the API, "" when
// it is the API's error shape.
func errorShape(api string, body []byte) string {
	var v struct {
		Type  string `json:"type"`
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return "not JSON"
	}
	if v.Error == nil || v.Error.Message == "" {
		return "no error.message"
	}
	if api == "messages" && (v.Type != "error" || v.Error.Type == "") {
		return "not Anthropic's error shape"
	}
	return ""
}

// streamEnd classifies how a stream ended: its API's closing event, its
// API's error event, or neither (bad).
func streamEnd(api string, all []byte) (string, bool) {
	tail := all[max(0, len(all)-2000):]
	switch api {
	case "chat":
		if bytes.HasSuffix(bytes.TrimSpace(all), []byte("data: [DONE]")) {
			if bytes.Contains(tail, []byte(`data: {"error"`)) {
				return "stream error", false
			}
			return "stream ok", false
		}
		if bytes.Contains(tail, []byte(`data: {"error"`)) {
			return "stream error", false
		}
	case "responses":
		if bytes.Contains(tail, []byte("event: response.completed")) {
			return "stream ok", false
		}
		if bytes.Contains(tail, []byte("event: response.failed")) || bytes.Contains(tail, []byte("event: error")) || bytes.Contains(tail, []byte("event: response.incomplete")) {
			return "stream error", false
		}
	case "messages":
		if bytes.Contains(tail, []byte("event: message_stop")) {
			return "stream ok", false
		}
		if bytes.Contains(tail, []byte("event: error")) {
			return "stream error", false
		}
	}
	return fmt.Sprintf("stream ends without a closing or error event: ...%q", tail[max(0, len(tail)-200):]), true
}

func summarize(t *testing.T, name string, calls []loadCall) {
	t.Helper()
	counts := map[string]int{}
	bad := 0
	for _, c := range calls {
		k := c.outcome
		if i := strings.IndexAny(k, ":("); i > 0 {
			k = k[:i]
		}
		counts[fmt.Sprintf("%s stream=%v %s", c.api, c.stream, k)]++
		if c.bad {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s %s stream=%v: %s", name, c.api, c.model, c.stream, c.outcome)
			}
		}
	}
	t.Logf("%s: %d calls, %d bad", name, len(calls), bad)
	shown := map[string]bool{}
	for _, c := range calls {
		if strings.HasPrefix(c.outcome, "error") && !shown[c.outcome[:9]] {
			shown[c.outcome[:9]] = true
			t.Logf("  e.g. %s", c.outcome)
		}
	}
	for k, n := range counts {
		t.Logf("  %-60s %d", k, n)
	}
}

type shutdownServe struct {
	url, db, pprof string
	cmd            *exec.Cmd
	exited         chan error
	exitedAt       time.Time
}

func startShutdownServe(t *testing.T, openaiURL, anthropicRoot string, grace time.Duration) *shutdownServe {
	t.Helper()
	dir := t.TempDir()
	bin := loadServeBinary(t, dir)
	p := &shutdownServe{db: filepath.Join(dir, "modelrouter.db"), exited: make(chan error, 1), pprof: "127.0.0.1:" + strconv.Itoa(20000+os.Getpid()%20000)}
	p.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", p.db, "--rate-limits=false",
		"--grace", grace.String(), "--pprof", p.pprof)
	p.cmd.Env = append(withoutEnv(os.Environ(), "MODELROUTER_CONFIG", "GIN_MODE"),
		"OPENAI_BASE_URL="+openaiURL, "OPENAI_API_KEY=sk-upstream",
		"ANTHROPIC_BASE_URL="+anthropicRoot, "ANTHROPIC_API_KEY=sk-ant", "MODELROUTER_ADMIN_KEY=load-admin-key")
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	addr := make(chan string, 1)
	go func() {
		found := regexp.MustCompile(`msg="modelrouter serving" addr=(\S+)`)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if m := found.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
			if !strings.Contains(sc.Text(), "level=INFO") || strings.Contains(sc.Text(), "shutting") {
				fmt.Fprintln(os.Stderr, "serve:", sc.Text())
			}
		}
		err := p.cmd.Wait()
		p.exitedAt = time.Now()
		p.exited <- err
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
		// Claude models are called once deployed (README: Validation rules).
		for _, m := range loadModels {
			if !strings.HasPrefix(m.name, "claude") {
				continue
			}
			version := strings.TrimPrefix(strings.TrimPrefix(m.upstream, m.name), "-")
			if version == "" {
				version = "1"
			}
			body := fmt.Sprintf(`{"sku":{"name":"GlobalStandard","capacity":1000},"properties":{"model":{"format":"Anthropic","name":%q,"version":%q}}}`, m.name, version)
			req, err := http.NewRequest(http.MethodPut, p.url+"/deployments/"+m.name, strings.NewReader(body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer load-admin-key")
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.Less(t, resp.StatusCode, 300, "PUT deployment: %s", answer)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start listening within 60s")
	}
	return p
}

func (p *shutdownServe) goroutines(t *testing.T) int {
	t.Helper()
	resp, err := http.Get("http://" + p.pprof + "/debug/pprof/goroutine?debug=1")
	require.NoError(t, err)
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "goroutine profile: total ")))
	require.NoError(t, err, line)
	return n
}

func (p *shutdownServe) memory() string {
	return serveProcess{pid: strconv.Itoa(p.cmd.Process.Pid)}.memory()
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}
