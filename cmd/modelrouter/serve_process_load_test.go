package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestServeProcessLoad is the gateway benchmark as a user would see it: the
// gateway is the real `modelrouter serve` binary in a process of its own,
// started as `make run` starts it (default flags, embedded router model,
// SQLite decision log, metrics, rate limits on), and this process holds the
// load generator and a fake OpenAI provider. The generator alternates
// requests to the provider directly and through the gateway, open-loop at a
// fixed rate, and reports p50/p99/p99.9 of each, what the gateway adds, and
// the serve process's memory (VmHWM, VmRSS, from /proc/<pid>/status). It
// runs only when asked:
//
//	MODELROUTER_LOAD=2000 MODELROUTER_LOAD_FOR=5s MODELROUTER_LOAD_ROUNDS=3 \
//	  go test -count=1 -run TestServeProcessLoad -v ./cmd/modelrouter/
//
// MODELROUTER_LOAD/2 requests per second go to each side, so 2000 puts
// 1,000 requests per second through the gateway. The only setup beyond
// defaults is a deployment whose capacity admits that rate (the default
// deployment allows 60 requests per minute). MODELROUTER_LOAD_PROXY=1 adds
// a third side as a control: a bare reverse proxy (net/http/httputil) in a
// process of its own, which shows what any extra process on the path costs
// on this machine. MODELROUTER_LOAD_SERVE_ENV adds variables to the
// gateway's environment only (for example "GOGC=200 GOMEMLIMIT=80MiB"), to
// measure runtime settings; MODELROUTER_LOAD_SERVE_BIN runs that binary
// instead of building this tree's (say, an older build, to compare on the
// same machine state); MODELROUTER_LOAD_SERVE_ARGS adds serve flags (for
// example "--pprof 127.0.0.1:6060", to take a CPU profile during a round).
func TestServeProcessLoad(t *testing.T) {
	ls := loadSettingsFromEnv(t)
	classifiertest.RequireRuntime(t)
	fake := upstreamtest.NewOpenAI(t)
	gw := startServeProcess(t, fake.URL, strings.Fields(os.Getenv("MODELROUTER_LOAD_SERVE_ENV")))
	const deployment = "bench"
	gw.putDeployment(t, deployment, 1_000_000)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	directBody, gatewayBody := loadBodies(deployment)
	s := []side{
		{"direct", func() (time.Duration, error) { return postJSON(client, fake.URL+"/chat/completions", directBody) }},
		{"gateway", func() (time.Duration, error) { return postJSON(client, gw.url+"/v1/chat/completions", gatewayBody) }},
	}
	if os.Getenv("MODELROUTER_LOAD_PROXY") == "1" {
		proxy := startProxyProcess(t, fake.URL)
		s = append(s, side{"proxy", func() (time.Duration, error) { return postJSON(client, proxy+"/chat/completions", directBody) }})
	}
	warmUp(t, s)
	t.Logf("serve pid %s after warm-up: %s", gw.pid, gw.memory())
	var runs []loadRun
	for round := range ls.rounds {
		began, cpu := time.Now(), sampleCPU(gw.pid)
		run := driveOpenLoop(ls.rate/2*len(s), ls.dur, s)
		run.report(t, fmt.Sprintf("round %d", round+1))
		t.Logf("  CPU: %s", cpu.since())
		t.Logf("  serve process: %s", gw.memory())
		t.Logf("  inside the gateway (decision log): %s", gw.handlerTimes(t, began))
		runs = append(runs, run)
	}
	summarizeRuns(t, runs)
	if bin := os.Getenv("MODELROUTER_LOAD_SERVE_BIN"); bin != "" {
		t.Logf("serve binary %s, router model version %s", bin, gw.routerModel)
	} else {
		t.Logf("router model version %s: %s", gw.routerModel, routerModelID())
	}
}

// serveProcess is a running `modelrouter serve`.
type serveProcess struct {
	url, pid, adminKey, db string
	routerModel            string // as serve logged it at start
}

// startServeProcess builds the modelrouter binary and starts `serve` on a
// free loopback port with its defaults, the fake provider as its default
// upstream. The process is stopped (SIGINT, as Ctrl-C) when the test ends.
func startServeProcess(t *testing.T, upstreamURL string, extraEnv []string) serveProcess {
	t.Helper()
	dir := t.TempDir()
	bin := loadServeBinary(t, dir)

	admin := "bench-admin-key"
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "modelrouter.db")},
		strings.Fields(os.Getenv("MODELROUTER_LOAD_SERVE_ARGS"))...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(withoutEnv(os.Environ(), "MODELROUTER_CONFIG", "GIN_MODE"),
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL="+upstreamURL,
		"MODELROUTER_UPSTREAM_DEFAULT_API_KEY=sk-upstream",
		"MODELROUTER_ADMIN_KEY="+admin)
	cmd.Env = append(cmd.Env, extraEnv...)
	p := runServeCommand(t, cmd)
	p.adminKey, p.db = admin, filepath.Join(dir, "modelrouter.db")
	return p
}

// runServeCommand starts cmd, a `modelrouter serve` on 127.0.0.1:0, and
// waits for its "modelrouter serving" line; serve exiting first fails the
// test with what it wrote. The process is stopped (SIGINT, as Ctrl-C)
// when the test ends.
func runServeCommand(t *testing.T, cmd *exec.Cmd) serveProcess {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("serve exited: %v", err)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("serve did not stop within 20s of SIGINT")
		}
	})

	addr := make(chan []string, 1)
	var said strings.Builder // what serve wrote before it serves
	go func() {
		found := regexp.MustCompile(`msg="modelrouter serving" addr=(\S+) .*router_model=(\S+)`)
		sc := bufio.NewScanner(stderr)
		serving := false
		for sc.Scan() {
			if m := found.FindStringSubmatch(sc.Text()); m != nil {
				serving = true
				addr <- m[1:]
			}
			if !serving {
				said.WriteString(sc.Text() + "\n")
			}
			if testing.Verbose() && !strings.Contains(sc.Text(), "level=INFO") {
				fmt.Fprintln(os.Stderr, "serve:", sc.Text())
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		exited <- cmd.Wait()
	}()
	select {
	case a := <-addr:
		return serveProcess{url: "http://" + a[0], routerModel: a[1], pid: strconv.Itoa(cmd.Process.Pid)}
	case err := <-exited:
		exited <- err // for the cleanup
		t.Fatalf("serve exited before serving (%v):\n%s", err, said.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start listening within 60s")
	}
	return serveProcess{}
}

// startProxyProcess runs this test binary again as a bare reverse proxy to
// upstreamURL (TestLoadProxyHelper) and returns its URL.
func startProxyProcess(t *testing.T, upstreamURL string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadProxyHelper$")
	cmd.Env = append(os.Environ(), "MODELROUTER_LOAD_PROXY_TO="+upstreamURL)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "proxy listening on "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("proxy did not start")
	}
	return ""
}

// TestLoadProxyHelper is not a test: TestServeProcessLoad starts it in a
// process of its own as the bare reverse proxy control, and kills it.
func TestLoadProxyHelper(t *testing.T) {
	to := os.Getenv("MODELROUTER_LOAD_PROXY_TO")
	if to == "" {
		t.Skip("the load test's proxy control; runs only when TestServeProcessLoad starts it")
	}
	target, err := url.Parse(to)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64 // as the gateway's client
	proxy.Transport = tr
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fmt.Println("proxy listening on", ln.Addr())
	// Each body from memory, as the gateway itself reads a body whole
	// before it sends it on: a body passed straight through races the
	// server that closes it (golang/go#40747).
	_ = http.Serve(ln, upstreamtest.BodiesFromMemory(proxy)) // until killed
}

// putDeployment creates a router deployment of the given capacity through
// the management API.
func (p serveProcess) putDeployment(t *testing.T, name string, capacity int) {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	body := fmt.Sprintf(`{"sku":{"name":"GlobalStandard","capacity":%d},"properties":{"model":{"format":"OpenAI","name":"model-router","version":%q}}}`,
		capacity, cat.Latest)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, p.url+"/deployments/"+name, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+p.adminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, "PUT deployment: %s", answer)
}

// handlerTimes summarizes what the gateway itself logged for the requests
// since a moment: how long deciding took, and how long the handler ran
// besides waiting for the provider's first byte. Set against the latency
// the client saw, it tells time spent in the gateway's code from time spent
// getting to it (network, scheduling).
func (p serveProcess) handlerTimes(t *testing.T, since time.Time) string {
	t.Helper()
	time.Sleep(100 * time.Millisecond) // the log commits every 10 ms
	db, err := sql.Open("sqlite3", "file:"+p.db+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT decide_ms, total_ms - first_byte_ms FROM decisions WHERE ts_ms >= ? AND status = 200`, since.UnixMilli())
	require.NoError(t, err)
	defer rows.Close()
	var decide, own []time.Duration
	for rows.Next() {
		var d, o float64
		require.NoError(t, rows.Scan(&d, &o))
		decide = append(decide, time.Duration(d*float64(time.Millisecond)))
		own = append(own, time.Duration(o*float64(time.Millisecond)))
	}
	require.NoError(t, rows.Err())
	slices.Sort(decide)
	slices.Sort(own)
	q := func(l []time.Duration) string {
		return fmt.Sprintf("p50 %v, p99 %v, p99.9 %v", quantile(l, 0.5).Round(time.Microsecond),
			quantile(l, 0.99).Round(time.Microsecond), quantile(l, 0.999).Round(time.Microsecond))
	}
	return fmt.Sprintf("%d rows; decide %s; handler minus provider wait %s", len(decide), q(decide), q(own))
}

// cpuSample is a moment's CPU counters: the whole machine's and this
// process's and the gateway's, in clock ticks.
type cpuSample struct {
	pid           string
	busy, total   int64
	self, gateway int64
	cpus          int
}

func sampleCPU(gatewayPid string) cpuSample {
	s := cpuSample{pid: gatewayPid}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 4 && f[0] == "cpu" {
				for i, v := range f[1:] {
					n, _ := strconv.ParseInt(v, 10, 64)
					s.total += n
					if i != 3 && i != 4 { // idle, iowait
						s.busy += n
					}
				}
			} else if len(f) > 0 && strings.HasPrefix(f[0], "cpu") {
				s.cpus++
			}
		}
	}
	s.self, s.gateway = procTicks("self"), procTicks(gatewayPid)
	return s
}

// procTicks is a process's user plus system time in clock ticks.
func procTicks(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	_, rest, _ := strings.Cut(string(b), ") ") // the command may hold spaces
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}

// since says how busy the machine's CPUs were since the sample, and who
// kept them busy: this process (generator, fake provider), the gateway,
// and everything else. Other load makes every latency here noisier.
func (s cpuSample) since() string {
	now := sampleCPU(s.pid)
	total := float64(now.total - s.total)
	if total <= 0 {
		return "not available"
	}
	pct := func(ticks int64) float64 { return 100 * float64(ticks) / total * float64(max(s.cpus, 1)) }
	busy, self, gw := pct(now.busy-s.busy), pct(now.self-s.self), pct(now.gateway-s.gateway)
	// The machine's counters (/proc/stat) and the processes' own are kept
	// by different clocks; in a VM the processes' sum can exceed the
	// machine's busy time, so "other" is not shown below zero.
	return fmt.Sprintf("(100%% = one of %d CPUs) machine %.0f%%: gateway %.0f%%, generator and fake provider %.0f%%, other processes %.0f%%",
		s.cpus, busy, gw, self, max(0, busy-gw-self))
}

// memory describes the serve process's resident memory now.
func (p serveProcess) memory() string {
	mib := func(field string) string { return fmt.Sprintf("%.1f", float64(procStatusKB(p.pid, field))/1024) }
	return fmt.Sprintf("VmHWM %s MiB, VmRSS %s MiB (RssAnon %s, RssFile %s)",
		mib("VmHWM"), mib("VmRSS"), mib("RssAnon"), mib("RssFile"))
}

func withoutEnv(environ []string, names ...string) []string {
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, n := range names {
			keep = keep && k != n
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}

// routerModelID names the embedded router model: its card's content hash
// and the size of router.onnx.
func routerModelID() string {
	files, err := models.Artifacts()
	if err != nil {
		return err.Error()
	}
	card, err := models.ParseCard(files.RouterJSON)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("content_hash %s, router.onnx %.1f MB", card.ContentHash, float64(len(files.RouterONNX))/1e6)
}

// loadServeBinary is the modelrouter binary the process load tests start:
// MODELROUTER_LOAD_SERVE_BIN when set (a build of another commit to compare
// against), else one built from this checkout into dir.
func loadServeBinary(t *testing.T, dir string) string {
	t.Helper()
	if bin := os.Getenv("MODELROUTER_LOAD_SERVE_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(dir, "modelrouter")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run(), "go build ./cmd/modelrouter")
	return bin
}
