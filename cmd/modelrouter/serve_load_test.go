package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelrouter/modelrouter/classifier/classifiertest"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// TestServeLoad measures what the whole gateway adds, as `make run` wires
// it: the embedded ONNX router model, the catalog, the SQLite decision log
// and the metrics, in front of a fake OpenAI provider on loopback. It
// drives the gateway and, for comparison, the provider directly, open-loop
// at a fixed rate, alternating one request to each so both see the same
// machine, and reports p50/p99/p99.9 of each and what the gateway adds. It
// runs only when asked:
//
//	MODELROUTER_LOAD=2000 MODELROUTER_LOAD_FOR=5s go test -run TestServeLoad -v ./cmd/modelrouter/
//
// MODELROUTER_LOAD is the total rate; half goes to each side.
// MODELROUTER_LOAD_ROUNDS repeats the measurement. With
// MODELROUTER_LOAD_PREDICTOR=fake the router model is replaced by a fixed
// predictor, which separates the model's cost from the rest.
//
// Here the gateway runs inside the test process, next to the generator
// and the fake provider (quick, and what CI's bench smoke runs);
// TestServeProcessLoad runs the real `modelrouter serve` binary instead.
func TestServeLoad(t *testing.T) {
	ls := loadSettingsFromEnv(t)
	classifiertest.RequireRuntime(t)
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		if os.Getenv("MODELROUTER_LOAD_PREDICTOR") != "fake" {
			o.predictor = nil // the embedded router model
		}
		o.rateLimits = false
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	directBody, gatewayBody := loadBodies("model-router")
	s := []side{
		{"direct", func() (time.Duration, error) { return postJSON(client, fake.URL+"/chat/completions", directBody) }},
		{"gateway", func() (time.Duration, error) { return postJSON(client, base+"/v1/chat/completions", gatewayBody) }},
	}
	warmUp(t, s)
	var runs []loadRun
	for round := range ls.rounds {
		run := driveOpenLoop(ls.rate, ls.dur, s)
		run.report(t, fmt.Sprintf("round %d", round+1))
		runs = append(runs, run)
	}
	summarizeRuns(t, runs)
	t.Logf("RSS %d MiB (peak %d MiB): gateway, router model, fake provider and load generator in one process",
		procStatusKB("self", "VmRSS")/1024, procStatusKB("self", "VmHWM")/1024)
}

// warmUp opens connections and runs every code path once before measuring.
func warmUp(t *testing.T, sides []side) {
	t.Helper()
	for range 100 {
		for _, s := range sides {
			if _, err := s.call(); err != nil {
				t.Fatalf("warm-up %s: %v", s.name, err)
			}
		}
	}
}
