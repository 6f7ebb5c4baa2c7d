package server

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLoad is the load generator: it drives the gateway (and, for
// comparison, the fake provider directly) open-loop at a fixed rate and
// reports p50/p99 latency of both, their difference, and the process RSS.
// It runs only when asked:
//
//	MODELROUTER_LOAD=1000 MODELROUTER_LOAD_FOR=5s go test -run TestLoad -v ./server/
//
// The gateway, the fake provider and the generator share one process, so
// the RSS is an upper bound for the gateway's own.
func TestLoad(t *testing.T) {
	rate, _ := strconv.Atoi(os.Getenv("MODELROUTER_LOAD"))
	if rate <= 0 {
		t.Skip("set MODELROUTER_LOAD=<requests per second> to run the load generator")
	}
	dur := 5 * time.Second
	if d, err := time.ParseDuration(os.Getenv("MODELROUTER_LOAD_FOR")); err == nil && d > 0 {
		dur = d
	}
	rig := newOverheadRig(t)
	for range 50 { // warm connections and code paths
		rig.post(t, rig.direct, rig.upstreamBody)
		rig.post(t, rig.gateway, rig.gatewayBody)
	}
	direct := drive(t, rate, dur, func() time.Duration { return rig.post(t, rig.direct, rig.upstreamBody) })
	gateway := drive(t, rate, dur, func() time.Duration { return rig.post(t, rig.gateway, rig.gatewayBody) })
	rss, hwm := memKB("VmRSS"), memKB("VmHWM")

	t.Logf("rate %d req/s for %s, %d requests per phase", rate, dur, len(gateway.lat))
	t.Logf("achieved: direct %.0f req/s, gateway %.0f req/s", direct.achieved, gateway.achieved)
	for _, q := range []float64{0.50, 0.99} {
		d, g := pct(direct.lat, q), pct(gateway.lat, q)
		t.Logf("p%.0f: direct %v, gateway %v, added %v", q*100, d.Round(time.Microsecond), g.Round(time.Microsecond), (g - d).Round(time.Microsecond))
	}
	t.Logf("RSS %d MiB (peak %d MiB)", rss/1024, hwm/1024)
	require.NotEmpty(t, gateway.lat)
}

type phase struct {
	lat      []time.Duration
	achieved float64
}

// drive starts one request every 1/rate seconds, whether or not earlier
// ones finished (open loop, so a slow server shows up as latency rather
// than a lower rate), and collects every latency.
func drive(t *testing.T, rate int, dur time.Duration, call func() time.Duration) phase {
	t.Helper()
	interval := time.Second / time.Duration(rate)
	n := int(dur / interval)
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat[i] = call()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return phase{lat: lat, achieved: float64(n) / elapsed.Seconds()}
}

func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// memKB reads a memory line (VmRSS, VmHWM) of /proc/self/status in KiB;
// 0 where there is no /proc.
func memKB(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}
