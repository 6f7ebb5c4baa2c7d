package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadSettings are the load tests' knobs, read from the environment so the
// tests run only when asked (see TestServeLoad and TestServeProcessLoad).
type loadSettings struct {
	rate   int           // MODELROUTER_LOAD: total requests per second, half to each side
	dur    time.Duration // MODELROUTER_LOAD_FOR: how long to drive (default 5s)
	rounds int           // MODELROUTER_LOAD_ROUNDS: repeat the measurement (default 1)
}

func loadSettingsFromEnv(t *testing.T) loadSettings {
	t.Helper()
	rate, _ := strconv.Atoi(os.Getenv("MODELROUTER_LOAD"))
	if rate <= 0 {
		t.Skip("set MODELROUTER_LOAD=<requests per second> to run the load generator")
	}
	s := loadSettings{rate: rate, dur: 5 * time.Second, rounds: 1}
	if d, err := time.ParseDuration(os.Getenv("MODELROUTER_LOAD_FOR")); err == nil && d > 0 {
		s.dur = d
	}
	if n, err := strconv.Atoi(os.Getenv("MODELROUTER_LOAD_ROUNDS")); err == nil && n > 0 {
		s.rounds = n
	}
	return s
}

// side is one thing the generator drives: the provider directly, the
// gateway in front of it, or a control. call returns how long the request
// took from the moment it was sent.
type side struct {
	name string
	call func() (time.Duration, error)
}

// loadRun is one open-loop run's measurements.
type loadRun struct {
	names    []string
	lat      [][]time.Duration // per side, sorted, from the moment each request was sent
	lag      []time.Duration   // sorted: how late each request was sent against its schedule
	errors   int
	firstErr error
	achieved float64 // requests per second actually sent, all sides
}

// driveOpenLoop sends request i at start + i/rate, taking the sides in
// turn, each request in its own goroutine, so a slow answer never delays
// the next request (open loop: a stalled gateway shows up as latency, not
// as a lower rate). Go's timers wake up with about a millisecond of jitter,
// so a request may leave late; latency is measured from the moment it left,
// and how late each one left is reported (lag) instead of being folded into
// every side's latencies. sides[0] is the baseline the others are compared
// with.
func driveOpenLoop(rate int, dur time.Duration, sides []side) loadRun {
	k := len(sides)
	interval := time.Second / time.Duration(rate)
	n := int(dur/interval) / k * k
	run := loadRun{lat: make([][]time.Duration, k), lag: make([]time.Duration, n)}
	for j, s := range sides {
		run.names = append(run.names, s.name)
		run.lat[j] = make([]time.Duration, n/k)
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		run.lag[i] = time.Since(due)
		wg.Add(1)
		go func() {
			defer wg.Done()
			run.lat[i%k][i/k], errs[i] = sides[i%k].call()
		}()
	}
	run.achieved = float64(n) / time.Since(start).Seconds()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			run.errors++
			if run.firstErr == nil {
				run.firstErr = err
			}
		}
	}
	for _, l := range append(run.lat, run.lag) {
		slices.Sort(l)
	}
	return run
}

var loadQuantiles = []float64{0.50, 0.99, 0.999}

// report logs the run: each side's quantiles, what each side adds to the
// baseline (the first) at each, and how far the generator fell behind its
// schedule.
func (r loadRun) report(t *testing.T, label string) {
	t.Helper()
	t.Logf("%s: %d requests at %.0f req/s (%s in turn), %d errors",
		label, len(r.lag), r.achieved, strings.Join(r.names, ", "), r.errors)
	for _, q := range loadQuantiles {
		line := fmt.Sprintf("  %-6s", pName(q))
		for j, name := range r.names {
			line += fmt.Sprintf(" %s %8v", name, quantile(r.lat[j], q).Round(time.Microsecond))
		}
		for j := 1; j < len(r.names); j++ {
			line += fmt.Sprintf("  %s adds %8v", r.names[j], r.added(j, q).Round(time.Microsecond))
		}
		t.Log(line)
	}
	late := len(r.lag) - countBelow(r.lag, time.Millisecond)
	t.Logf("  send lag behind schedule: p50 %v, p99 %v, max %v; %d of %d requests left over 1ms late",
		quantile(r.lag, 0.5).Round(time.Microsecond), quantile(r.lag, 0.99).Round(time.Microsecond),
		quantile(r.lag, 1).Round(time.Microsecond), late, len(r.lag))
	if r.firstErr != nil {
		t.Errorf("%s: %d requests failed, first: %v", label, r.errors, r.firstErr)
	}
}

// added is what side j adds to the baseline at quantile q.
func (r loadRun) added(j int, q float64) time.Duration {
	return quantile(r.lat[j], q) - quantile(r.lat[0], q)
}

// summarizeRuns logs the range over runs of what each side adds at each
// quantile.
func summarizeRuns(t *testing.T, runs []loadRun) {
	t.Helper()
	if len(runs) < 2 {
		return
	}
	for j := 1; j < len(runs[0].names); j++ {
		var parts []string
		for _, q := range loadQuantiles {
			lo, hi := runs[0].added(j, q), runs[0].added(j, q)
			for _, r := range runs[1:] {
				lo, hi = min(lo, r.added(j, q)), max(hi, r.added(j, q))
			}
			parts = append(parts, fmt.Sprintf("%s %v..%v", pName(q), lo.Round(time.Microsecond), hi.Round(time.Microsecond)))
		}
		t.Logf("%s adds, over %d runs: %s", runs[0].names[j], len(runs), strings.Join(parts, ", "))
	}
}

func pName(q float64) string {
	return "p" + strconv.FormatFloat(q*100, 'f', -1, 64)
}

func countBelow(sorted []time.Duration, d time.Duration) int {
	i, _ := slices.BinarySearch(sorted, d)
	return i
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// postJSON sends body and reads the whole answer, which must be 200.
func postJSON(c *http.Client, url string, body []byte) (time.Duration, error) {
	start := time.Now()
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, err
	}
	if resp.StatusCode != http.StatusOK {
		return took, fmt.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	return took, nil
}

// procStatusKB reads a memory line (VmRSS, VmHWM, RssAnon, RssFile) of
// /proc/<pid>/status in KiB ("self" for this process); 0 where there is no
// /proc.
func procStatusKB(pid, field string) int {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			n, _ := strconv.Atoi(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte("kB")))))
			return n
		}
	}
	return 0
}

// loadBodies are the request bodies both tests send: the same short chat,
// addressed to the provider's model directly or to the router deployment.
func loadBodies(deployment string) (direct, gateway []byte) {
	msgs := `"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Explain in two sentences why the sky is blue."}]`
	return []byte(`{"model":"gpt-4.1",` + msgs + `}`), []byte(`{"model":"` + deployment + `",` + msgs + `}`)
}
