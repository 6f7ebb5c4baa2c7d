package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/modelrouter/modelrouter/classifier"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestServeLoad measures what the whole gateway adds, as `make run` wires
// it: the embedded ONNX router model, the catalog, the SQLite decision log
// and the metrics, in front of a fake OpenAI provider on loopback. It
// drives the gateway and, for comparison, the provider directly, open-loop
// at a fixed rate, alternating one request to each so both see the same
// machine, and reports p50/p99 of each and what the gateway adds. It runs
// only when asked:
//
//	MODELROUTER_LOAD=2000 MODELROUTER_LOAD_FOR=5s go test -run TestServeLoad -v ./cmd/modelrouter/
//
// MODELROUTER_LOAD is the total rate; half goes to each side. With
// MODELROUTER_LOAD_PREDICTOR=fake the router model is replaced by a fixed
// predictor, which separates the model's cost from the rest.
func TestServeLoad(t *testing.T) {
	rate, _ := strconv.Atoi(os.Getenv("MODELROUTER_LOAD"))
	if rate <= 0 {
		t.Skip("set MODELROUTER_LOAD=<requests per second> to run the load generator")
	}
	if err := classifier.InitRuntime(); err != nil {
		t.Skipf("ONNX Runtime not available: %v", err)
	}
	dur := 5 * time.Second
	if d, err := time.ParseDuration(os.Getenv("MODELROUTER_LOAD_FOR")); err == nil && d > 0 {
		dur = d
	}
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		if os.Getenv("MODELROUTER_LOAD_PREDICTOR") != "fake" {
			o.predictor = nil // the embedded router model
		}
		o.rateLimits = false
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	msgs := `"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Explain in two sentences why the sky is blue."}]`
	direct := func() time.Duration {
		return post(t, client, fake.URL+"/chat/completions", []byte(`{"model":"gpt-4.1",`+msgs+`}`))
	}
	gateway := func() time.Duration {
		return post(t, client, base+"/v1/chat/completions", []byte(`{"model":"model-router",`+msgs+`}`))
	}
	for range 100 { // warm connections and code paths
		direct()
		gateway()
	}
	interval := time.Second / time.Duration(rate)
	n := int(dur / interval)
	lat := [2][]time.Duration{make([]time.Duration, n/2), make([]time.Duration, n/2)}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n / 2 * 2 {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				lat[0][i/2] = direct()
			} else {
				lat[1][i/2] = gateway()
			}
		}()
	}
	wg.Wait()
	achieved := float64(n/2*2) / time.Since(start).Seconds()
	for _, l := range lat {
		slices.Sort(l)
	}
	t.Logf("%d requests in %s at %.0f req/s (half direct, half through the gateway)", n/2*2, dur, achieved)
	for _, q := range []float64{0.50, 0.99} {
		d, g := quantile(lat[0], q), quantile(lat[1], q)
		t.Logf("p%.0f: direct %v, gateway %v, added %v", q*100, d.Round(time.Microsecond), g.Round(time.Microsecond), (g - d).Round(time.Microsecond))
	}
	t.Logf("RSS %d MiB (peak %d MiB): gateway, router model, fake provider and load generator in one process",
		statusKB("VmRSS")/1024, statusKB("VmHWM")/1024)
}

func post(t *testing.T, c *http.Client, url string, body []byte) time.Duration {
	start := time.Now()
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("%s: HTTP %d", url, resp.StatusCode)
	}
	return time.Since(start)
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

func statusKB(field string) int {
	b, err := os.ReadFile("/proc/self/status")
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
