package upstream

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// At gateway traffic, scattered errors are not an outage: a model failing
// 10 % of 100 calls a second for an hour (failover handles each) is never
// tried last, while one failing every call is within three calls.
func TestHealthTellsScatteredErrorsFromAnOutage(t *testing.T) {
	for _, tc := range []struct {
		errorRate   float64
		wantDemoted bool
	}{{0.02, false}, {0.10, false}, {1, true}} {
		now := time.Unix(0, 0)
		h := &Health{Now: func() time.Time { return now }}
		m := router.Model{ID: "m"}
		rng := rand.New(rand.NewPCG(1, 2))
		demoted, calls := 0, 0
		for range 100 * 3600 {
			now = now.Add(10 * time.Millisecond)
			if h.Unhealthy(m) != "" {
				demoted++
				continue
			}
			tk, ok := h.admit(m, false)
			if !ok {
				continue
			}
			calls++
			if rng.Float64() < tc.errorRate {
				h.failed(m, tk, "HTTP 503", "")
			} else {
				h.succeeded(m, tk, true)
			}
			if tc.wantDemoted && calls == DefaultHealthThreshold {
				assert.NotEmpty(t, h.Unhealthy(m), "an outage trips it at once")
			}
		}
		if tc.wantDemoted {
			assert.Greater(t, demoted, 99*3600, "error rate %v", tc.errorRate)
		} else {
			assert.Zero(t, demoted, "error rate %v", tc.errorRate)
		}
	}
}

// A busy model's first three failures in a row, after a minute of answers,
// are scattered errors too.
func TestHealthCountsAnswersBeforeTheFirstFailure(t *testing.T) {
	now := time.Unix(0, 0)
	h := &Health{Now: func() time.Time { return now }}
	m := router.Model{ID: "m"}
	for range 10 {
		tk, _ := h.admit(m, false)
		h.succeeded(m, tk, true)
	}
	for range 3 {
		tk, _ := h.admit(m, false)
		h.failed(m, tk, "HTTP 500", "")
	}
	assert.Empty(t, h.Unhealthy(m), "3 of the last 13 calls failed")
	for range 6 {
		tk, _ := h.admit(m, false)
		h.failed(m, tk, "HTTP 500", "")
	}
	assert.Empty(t, h.Unhealthy(m), "9 of 19")
	tk, _ := h.admit(m, false)
	h.failed(m, tk, "HTTP 500", "")
	assert.NotEmpty(t, h.Unhealthy(m), "10 of 20: half")
}

// However busy a model was until its provider went down, the rule looks at
// its last 20 calls: an outage makes it tried last within 10 failures in a
// row, not after as many failures as it had answers in the minute before.
func TestHealthAnOutageOfABusyModelTripsWithinTenFailures(t *testing.T) {
	now := time.Unix(0, 0)
	h := &Health{Now: func() time.Time { return now }}
	m := router.Model{ID: "m"}
	for range 100 {
		now = now.Add(100 * time.Millisecond)
		tk, _ := h.admit(m, false)
		h.succeeded(m, tk, true)
	}
	for i := range 10 {
		assert.Empty(t, h.Unhealthy(m), "after %d failures", i)
		tk, _ := h.admit(m, false)
		h.failed(m, tk, "HTTP 500", "")
	}
	assert.Contains(t, h.Unhealthy(m), "10 failures in a row", "10 of its last 20 calls failed")
}

// A late answer to a call from before a probe, then the probe's failure,
// must not leave the model unable to turn unhealthy again.
func TestHealthALateAnswerDuringAProbeDoesNotDisarmIt(t *testing.T) {
	now := time.Unix(0, 0)
	h := &Health{Threshold: 1, Now: func() time.Time { return now }}
	m := router.Model{ID: "m"}
	tk, _ := h.admit(m, false)
	h.failed(m, tk, "HTTP 503", "")
	now = now.Add(10 * time.Second)
	lastResort, _ := h.admit(m, false)
	now = now.Add(25 * time.Second)
	probe, _ := h.admit(m, false)
	require.True(t, probe.probe)
	h.succeeded(m, lastResort, true)   // healthy again
	h.failed(m, probe, "HTTP 503", "") // no longer the probe in flight: an ordinary failure
	assert.NotEmpty(t, h.Unhealthy(m), "one failure trips it (threshold 1)")
	assert.Contains(t, h.Unhealthy(m), "30s more", "with the first cooldown, not none")
}
