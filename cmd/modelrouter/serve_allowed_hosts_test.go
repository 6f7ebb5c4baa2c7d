package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// getWithHost sends GET url with Host set to host and returns the status
// and the error code of the answer ("" for none).
func getWithHost(t *testing.T, url, host string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body.Error.Code
}

// The keyless loopback gateway answers its own host names and those
// --allowed-hosts names (a reverse proxy's), and refuses any other: a
// page rebound to 127.0.0.1 would otherwise read it. The management API,
// the playground and /metrics are behind the same check.
func TestServeAnswersOnlyLoopbackAndAllowedHostsWithoutKeys(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"),
		func(o *serveOptions) { o.allowedHosts = "gateway.internal, 10.0.0.5" })
	for _, path := range []string{"/v1/models", "/metrics", "/playground", "/deployments"} {
		status, code := getWithHost(t, base+path, "rebind.evil.example:8080")
		assert.Equal(t, http.StatusForbidden, status, path)
		assert.Equal(t, "host_not_allowed", code, path)
	}
	for _, host := range []string{"localhost:8080", "127.0.0.1", "gateway.internal", "10.0.0.5:443"} {
		status, _ := getWithHost(t, base+"/v1/models", host)
		assert.Equal(t, http.StatusOK, status, host)
	}
	// The refusals have no decision row; /metrics counts them.
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(raw), `modelrouter_refused_requests_total{reason="host_not_allowed"} 4`+"\n")
}

// The profiles need no key either: they answer the same host names only.
func TestProfilesAnswerOnlyLoopbackAndAllowedHosts(t *testing.T) {
	addr, stop, err := serveProfiles("127.0.0.1:0", []string{"gateway.internal"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(stop)
	status, code := getWithHost(t, "http://"+addr+"/debug/pprof/cmdline", "rebind.evil.example:6060")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "host_not_allowed", code)
	for _, host := range []string{"localhost:6060", "[::1]:6060", "gateway.internal"} {
		status, _ := getWithHost(t, "http://"+addr+"/debug/pprof/cmdline", host)
		assert.Equal(t, http.StatusOK, status, host)
	}
}

// --allowed-hosts and the file's allowed_hosts take host names or IP
// addresses; one with a port (or a stray key) is refused before serve
// starts, and a flag beats the file as for every setting.
func TestAllowedHostsComeFromTheFlagOrTheFile(t *testing.T) {
	path := writeConfig(t, `{"allowed_hosts": "gateway.internal"}`)
	o, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"gateway.internal"}, o.hostList())

	o, err = parseServeArgs([]string{"--config", path, "--allowed-hosts", "a.example,[::1]"}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"a.example", "::1"}, o.hostList())

	_, err = parseServeArgs([]string{"--allowed-hosts", "gateway.internal:8080"}, nil, io.Discard)
	assert.ErrorContains(t, err, `allowed_hosts "gateway.internal:8080": want lower-case host names or IP addresses without a port`)
	_, err = parseServeArgs([]string{"--allowed-hosts", testSecret}, nil, io.Discard)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testSecret)
}

// With keys required, --allowed-hosts still holds: other host names get
// 403 before any key check, on the API, the management API and the
// profiles alike, while the listed names reach the key check.
func TestServeKeepsAllowedHostsWhenKeysAreRequired(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	profiles := freeLoopbackAddr(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.requireKeys, o.allowedHosts, o.pprof = true, "gateway.internal", profiles
		o.environ = append(o.environ, "MODELROUTER_ADMIN_KEY=admin-secret")
	})
	for _, path := range []string{"/v1/models", "/deployments", "/metrics"} {
		status, code := getWithHost(t, base+path, "gateway.example.com")
		assert.Equal(t, http.StatusForbidden, status, path)
		assert.Equal(t, "host_not_allowed", code, path)
	}
	for _, host := range []string{"gateway.internal", "localhost:8080"} {
		status, _ := getWithHost(t, base+"/v1/models", host)
		assert.Equal(t, http.StatusUnauthorized, status, "%s passes the host check and meets the key check", host)
	}
	status, code := getWithHost(t, "http://"+profiles+"/debug/pprof/cmdline", "gateway.example.com")
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "host_not_allowed", code)
	status, _ = getWithHost(t, "http://"+profiles+"/debug/pprof/cmdline", "gateway.internal")
	assert.Equal(t, http.StatusOK, status)
}

// Without --allowed-hosts a gateway that needs keys answers any host name
// (a proxy's or a load balancer's): the key is the defence.
func TestServeAnswersAnyHostWhenKeysAreRequiredAndNoneAreListed(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "modelrouter.db"),
		func(o *serveOptions) { o.requireKeys = true })
	status, _ := getWithHost(t, base+"/v1/models", "gateway.example.com")
	assert.Equal(t, http.StatusUnauthorized, status, "the host passes; the missing key is what is refused")
}

// freeLoopbackAddr returns a loopback address no one listens on now, for a
// server whose address serve does not report (the profiles).
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}
