package main

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// startAdminServe starts serve with an admin key and --trusted-proxies
// proxies, and returns a function that calls GET /deployments with key and
// X-Forwarded-For xff ("" for none) and gives the status.
func startAdminServe(t *testing.T, proxies string) func(xff, key string) int {
	t.Helper()
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.environ = append(o.environ, "MODELROUTER_ADMIN_KEY=the-admin-key")
		o.trustedProxies = proxies
	})
	return func(xff, key string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+"/deployments", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
}

// Behind a trusted reverse proxy (here the test's own 127.0.0.1) each
// client is limited by the address the proxy forwards: one client guessing
// the admin key is held back, another client of the same proxy is not. What
// a client writes left of its own address, a new one every try, changes
// nothing.
func TestServeBehindATrustedProxyLimitsEachClientByItsForwardedAddress(t *testing.T) {
	get := startAdminServe(t, "10.0.0.0/8, 127.0.0.1")
	for i := range 10 {
		forged := fmt.Sprintf("198.51.100.%d, 203.0.113.9", i)
		require.Equal(t, http.StatusUnauthorized, get(forged, fmt.Sprintf("admin-guess-%d", i)), "guess %d", i+1)
	}
	assert.Equal(t, http.StatusTooManyRequests, get("203.0.113.9", "the-admin-key"), "the guessing client")
	assert.Equal(t, http.StatusTooManyRequests, get("198.51.100.200, 203.0.113.9", "the-admin-key"), "the guessing client, under a new forged address")
	assert.Equal(t, http.StatusOK, get("198.51.100.7", "the-admin-key"), "another client of the proxy")
	assert.Equal(t, http.StatusOK, get("", "the-admin-key"), "the proxy's own calls")
}

// From a connection that is no trusted proxy, X-Forwarded-For is what the
// client wrote: a guesser naming a new address on every try is still
// limited by its connection's address.
func TestServeIgnoresForwardedAddressesFromAnUntrustedConnection(t *testing.T) {
	for name, proxies := range map[string]string{"none trusted": "", "another proxy trusted": "10.0.0.5"} {
		t.Run(name, func(t *testing.T) {
			get := startAdminServe(t, proxies)
			for i := range 10 {
				require.Equal(t, http.StatusUnauthorized, get(fmt.Sprintf("203.0.113.%d", i), fmt.Sprintf("admin-guess-%d", i)), "guess %d", i+1)
			}
			assert.Equal(t, http.StatusTooManyRequests, get("198.51.100.7", "the-admin-key"))
		})
	}
}

// --trusted-proxies and the file's trusted_proxies take IP addresses and
// CIDR blocks, comma-separated; a flag beats the file as for every
// setting. A host name, a bad block, one that trusts every address or a
// stray key is refused before serve starts, every one at once, and a key
// is never shown.
func TestTrustedProxiesComeFromTheFlagOrTheFile(t *testing.T) {
	path := writeConfig(t, `{"trusted_proxies": "10.0.0.0/8"}`)
	o, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	blocks, _ := o.proxyBlocks()
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, blocks)

	o, err = parseServeArgs([]string{"--config", path, "--trusted-proxies", " 192.0.2.10, 172.16.0.0/12,,fd00::/8, ::ffff:192.0.2.11"}, nil, io.Discard)
	require.NoError(t, err)
	blocks, _ = o.proxyBlocks()
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("192.0.2.10/32"), netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("192.0.2.11/32")}, blocks)

	o, err = parseServeArgs(nil, nil, io.Discard)
	require.NoError(t, err)
	blocks, _ = o.proxyBlocks()
	assert.Empty(t, blocks, "no proxy is trusted by default")

	_, err = parseServeArgs([]string{"--trusted-proxies", "proxy.internal,10.0.0.0/33,0.0.0.0/0,192.0.2.10:8080," + testSecret}, nil, io.Discard)
	require.Error(t, err)
	for _, want := range []string{
		`trusted_proxies "proxy.internal": want IP addresses or CIDR blocks`,
		`trusted_proxies "10.0.0.0/33": want IP addresses or CIDR blocks`,
		`trusted_proxies "0.0.0.0/0": trusts every address`,
		`trusted_proxies "192.0.2.10:8080": want IP addresses or CIDR blocks`,
		`trusted_proxies (not shown: it may be a key): want IP addresses or CIDR blocks`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), testSecret)

	_, err = parseServeArgs([]string{"--config", writeConfig(t, `{"trusted_proxies": "proxy.internal"}`)}, nil, io.Discard)
	assert.ErrorContains(t, err, `trusted_proxies "proxy.internal": want IP addresses or CIDR blocks`)
}
