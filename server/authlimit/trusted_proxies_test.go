package authlimit_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/authlimit"
)

// proxies are the reverse proxies the tests trust: one host and a block.
var proxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.10/32"), netip.MustParsePrefix("10.1.0.0/16")}

// viaProxy is a call from the proxy at peer that forwards xff as its
// X-Forwarded-For.
func viaProxy(peer, xff, key string) *http.Request {
	r := call(peer, key)
	r.Header.Set("X-Forwarded-For", xff)
	return r
}

// Behind a trusted proxy each client is counted by the address the proxy
// put in X-Forwarded-For: one client's wrong keys hold back that client
// only, not every client that shares the proxy.
func TestBehindATrustedProxyEachClientIsCountedByItsForwardedAddress(t *testing.T) {
	l, _, logs := newLimiter(t, authlimit.Config{TrustedProxies: proxies})
	for i := range 10 {
		l.Failed(viaProxy("192.0.2.10:5000", "203.0.113.9", wrongKey(i)))
	}
	assert.Error(t, l.Check(viaProxy("192.0.2.10:5000", "203.0.113.9", "")))
	assert.NoError(t, l.Check(viaProxy("192.0.2.10:5000", "198.51.100.7", "")), "another client of the proxy")
	assert.NoError(t, l.Check(call("192.0.2.10:5000", "")), "the proxy's own address")
	assert.Contains(t, logs.String(), "client=203.0.113.9")
	assert.Contains(t, logs.String(), "proxy=192.0.2.10")
}

// A client can write any X-Forwarded-For it likes; its proxy appends the
// address it saw. So the client is the right-most address that is not a
// trusted proxy, and what the client wrote left of it changes nothing.
func TestAForgedLeftMostForwardedAddressChangesNothing(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{TrustedProxies: proxies})
	for i := range 10 {
		// The client (203.0.113.9) went through two trusted proxies.
		l.Failed(viaProxy("192.0.2.10:5000", fmt.Sprintf("198.51.100.%d, 203.0.113.9, 10.1.2.3", i), wrongKey(i)))
	}
	assert.Error(t, l.Check(viaProxy("192.0.2.10:5000", "198.51.100.200, 203.0.113.9, 10.1.2.3", "")))
	assert.Error(t, l.Check(viaProxy("192.0.2.10:5000", "203.0.113.9", "")))
	assert.NoError(t, l.Check(viaProxy("192.0.2.10:5000", "198.51.100.1", "")), "a forged address was never counted")
}

// Only a trusted proxy's X-Forwarded-For is read; from any other address it
// is what a client sent, and the connection's address counts.
func TestForwardedAddressesFromAnUntrustedPeerAreIgnored(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{TrustedProxies: proxies})
	for i := range 10 {
		l.Failed(viaProxy("192.0.2.1:4000", fmt.Sprintf("203.0.113.%d", i), wrongKey(i)))
	}
	assert.Error(t, l.Check(call("192.0.2.1:4000", "")))
	assert.NoError(t, l.Check(viaProxy("192.0.2.10:5000", "203.0.113.1", "")))
}

// Where a trusted proxy's header names no client (none sent, every address
// in it a trusted proxy, or one that is no address), the failures count
// against the connection's address, as without trusted proxies.
func TestATrustedProxysCallWithoutAClientInItsHeaderCountsAgainstTheProxy(t *testing.T) {
	for name, xff := range map[string]string{
		"no header":          "",
		"only proxies":       "10.1.9.9, 192.0.2.10",
		"not an address":     "unknown",
		"garbage right-most": "203.0.113.9, 203.0.113.x",
	} {
		t.Run(name, func(t *testing.T) {
			l, _, _ := newLimiter(t, authlimit.Config{TrustedProxies: proxies})
			for i := range 10 {
				l.Failed(viaProxy("192.0.2.10:5000", xff, wrongKey(i)))
			}
			assert.Error(t, l.Check(call("192.0.2.10:5000", "")))
			assert.NoError(t, l.Check(viaProxy("192.0.2.10:5000", "203.0.113.9", "")))
		})
	}
}

// Proxies write addresses in several forms: each header line, a port after
// the address, an IPv6 one in brackets. A client's IPv6 addresses still
// count by their /64.
func TestForwardedAddressesAreReadInTheFormsProxiesWrite(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{TrustedProxies: proxies})
	for i := range 5 {
		l.Failed(viaProxy("192.0.2.10:5000", fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1), wrongKey(i)))
		r := call("192.0.2.10:5000", wrongKey(i+100))
		r.Header.Add("X-Forwarded-For", "198.51.100.1")
		r.Header.Add("X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x, 10.1.0.1", i+100))
		l.Failed(r)
	}
	assert.Error(t, l.Check(viaProxy("192.0.2.10:5000", "2001:db8:1:2:ffff::1", "")))
	assert.NoError(t, l.Check(viaProxy("192.0.2.10:5000", "198.51.100.1", "")), "an earlier header line's address was not the client")
}
