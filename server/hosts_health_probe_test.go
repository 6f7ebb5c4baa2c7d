package server

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probe sends GET path as a load balancer's or the kubelet's health check
// does: for the instance's own address, its IP and port as Host, with no
// key and no browser headers.
func probe(t *testing.T, e *e2e, path, host string) (int, string) {
	t.Helper()
	return probeWith(t, e, http.MethodGet, path, host)
}

// probeWith is probe with another method, as HEAD from an uptime monitor.
func probeWith(t *testing.T, e *e2e, method, path, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(raw)
}

// Load balancers and Kubernetes probe /healthz and /readyz by the
// instance's IP address, which changes with every instance and is not
// among --allowed-hosts: the probes are answered whatever their Host, or
// every instance would be taken out of service. They tell nothing a
// rebound page could use; every other route keeps the Host check.
func TestHealthProbesAreAnsweredWhateverTheirHost(t *testing.T) {
	for name, opt := range map[string]func(*Config){
		"keys required, hosts listed": func(c *Config) { c.AllowedHosts = []string{"gateway.internal.example"} },
		"keyless":                     func(c *Config) { c.RequireKeys, c.Keys = false, nil },
	} {
		e := newE2E(t, opt)
		for _, path := range []string{"/healthz", "/readyz"} {
			status, raw := probe(t, e, path, "10.0.3.7:8080")
			assert.Equal(t, http.StatusOK, status, "%s %s: %s", name, path, raw)
		}
		status, raw := probe(t, e, "/v1/models", "10.0.3.7:8080")
		assert.Equal(t, http.StatusForbidden, status, "%s: %s", name, raw)
		assert.True(t, strings.Contains(raw, "host_not_allowed"), "%s: %s", name, raw)
	}
}
