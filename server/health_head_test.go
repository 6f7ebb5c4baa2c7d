package server

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Uptime monitors check a URL with HEAD (wasitup.com's FAQ says it sends
// one; Montastic tries HEAD before GET, support.metadot.com), and
// HTTP has every server answer HEAD where it answers GET (RFC 9110, section
// 9.1): a 405 there reads as the gateway being down. The
// probes answer HEAD with GET's status and headers and no body, readiness's
// 503 while not ready included, whatever the Host, as GET.
func TestHealthProbesAnswerHEADAsTheyAnswerGET(t *testing.T) {
	var ready atomic.Bool
	e := newE2E(t, func(c *Config) { c.RequireKeys, c.Keys, c.Ready = false, nil, ready.Load })
	head := func(path string) (int, string) {
		t.Helper()
		return probeWith(t, e, http.MethodHead, path, "10.0.3.7:8080")
	}
	status, raw := head("/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, raw)
	status, _ = head("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, status, "not ready yet")
	ready.Store(true)
	status, raw = head("/readyz")
	assert.Equal(t, http.StatusOK, status)
	assert.Empty(t, raw)
}
