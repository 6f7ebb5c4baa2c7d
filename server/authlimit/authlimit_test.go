package authlimit_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/authlimit"
)

// clock is a settable time for the limiter.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newLimiter(t *testing.T, cfg authlimit.Config) (*authlimit.Limiter, *clock, *bytes.Buffer) {
	t.Helper()
	c := &clock{now: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)}
	var logs bytes.Buffer
	cfg.Now, cfg.Logger = c.Now, slog.New(slog.NewTextHandler(&logs, nil))
	return authlimit.New(cfg), c, &logs
}

// call is a request from addr (host:port) that sends key ("" for none) as
// a bearer token.
func call(addr, key string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/deployments", nil)
	r.RemoteAddr = addr
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	return r
}

// wrongKey is the i-th of as many distinct wrong keys as a test needs:
// only distinct ones add up to the limit.
func wrongKey(i int) string { return fmt.Sprintf("mr-wrong-%d", i) }

// The eleventh try of an address that sent ten wrong admin keys within a
// minute is refused with 429 whatever it sends, and told how long to wait;
// other addresses are not held back; once the minute that began at its
// first failure is over, it may try again.
func TestAnAddressWithTenWrongKeysInAMinuteIsRefusedUntilTheMinuteEnds(t *testing.T) {
	l, c, _ := newLimiter(t, authlimit.Config{})
	for i := range 10 {
		require.NoError(t, l.Check(call("192.0.2.1:4000", "")), "try %d", i+1)
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
		c.now = c.now.Add(2 * time.Second)
	}
	err := l.Check(call("192.0.2.1:5000", "mr-the-right-one"))
	require.Error(t, err)
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.ERateLimited, re.Code)
	assert.Equal(t, authlimit.Reason, re.Reason)
	assert.Equal(t, 40*time.Second, re.RetryAfter, "the minute began at the first failure, 20 s ago")
	assert.NoError(t, l.Check(call("198.51.100.7:4000", "mr-the-right-one")), "another address")

	c.now = c.now.Add(40 * time.Second)
	assert.NoError(t, l.Check(call("192.0.2.1:4000", "mr-the-right-one")), "the minute is over")
}

// A script or dashboard holding one stale key resends it on every retry
// and reload; that guesses nothing, so it counts once and the address's
// right key still opens. Ten distinct wrong keys are guesses and do lock
// the address out.
func TestResendingOneWrongKeyDoesNotLockOutTheRightKey(t *testing.T) {
	l, _, logs := newLimiter(t, authlimit.Config{})
	for i := range 50 {
		require.NoError(t, l.Check(call("192.0.2.1:4000", "mr-stale")), "resend %d", i+1)
		l.Failed(call("192.0.2.1:4000", "mr-stale"))
	}
	assert.NoError(t, l.Check(call("192.0.2.1:4000", "mr-the-right-one")))
	assert.NotContains(t, logs.String(), "client address limited")

	for i := range 8 {
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
		l.Failed(call("192.0.2.1:4000", "mr-stale"))
	}
	assert.NoError(t, l.Check(call("192.0.2.1:4000", "mr-the-right-one")), "nine distinct wrong keys, the stale one counted once")
	l.Failed(call("192.0.2.1:4000", wrongKey(8)))
	assert.Error(t, l.Check(call("192.0.2.1:4000", "mr-the-right-one")), "ten distinct wrong keys")

	for i := range 10 {
		require.NoError(t, l.Check(call("198.51.100.7:4000", "")), "guess %d", i+1)
		l.Failed(call("198.51.100.7:4000", wrongKey(i)))
	}
	assert.Error(t, l.Check(call("198.51.100.7:4000", "mr-the-right-one")), "ten distinct wrong keys alone")
}

// An address sending ever new wrong keys is remembered with no more of
// them than the limit: once it is reached the address is refused unheard,
// so its state cannot grow with the keys an attacker makes up.
func TestAnAddressRemembersNoMoreWrongKeysThanTheLimit(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{})
	for i := range 10_000 {
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
	}
	assert.Equal(t, authlimit.DefaultMaxFailures, l.WrongKeys("192.0.2.1"))
	assert.Error(t, l.Check(call("192.0.2.1:4000", "")))
}

// Failures spread wider than the window never add up to the limit.
func TestFailuresOfEarlierWindowsDoNotCount(t *testing.T) {
	l, c, _ := newLimiter(t, authlimit.Config{})
	for i := range 30 {
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
		c.now = c.now.Add(7 * time.Second)
		require.NoError(t, l.Check(call("192.0.2.1:4000", "")))
	}
}

// A call that sends no key guesses nothing, and a key the gateway knows
// (a client key sent to the reports, as the playground's one key field
// does, or to the management API) is no guess at the admin key: neither
// is counted.
func TestOnlyUnknownKeysCount(t *testing.T) {
	known := func(_ context.Context, key string) bool { return key == "mr-known" }
	l, _, _ := newLimiter(t, authlimit.Config{KnownKey: known})
	for range 50 {
		l.Failed(call("192.0.2.1:4000", ""))
		l.Failed(call("192.0.2.1:4000", "mr-known"))
	}
	assert.NoError(t, l.Check(call("192.0.2.1:4000", "")))
	assert.Zero(t, l.Size())
}

// The address is the connection's peer: a header that names another one
// is what any client can send, so it changes nothing.
func TestTheAddressIsThePeersNotAForwardedHeader(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{})
	for i := range 10 {
		r := call("192.0.2.1:4000", wrongKey(i))
		r.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		r.Header.Set("X-Real-IP", fmt.Sprintf("203.0.113.%d", i))
		l.Failed(r)
	}
	assert.Error(t, l.Check(call("192.0.2.1:4000", "")))
	assert.NoError(t, l.Check(call("203.0.113.1:4000", "")))
}

// One IPv6 host is usually given a /64: its addresses count as one, or a
// guesser would take a fresh address for every try.
func TestIPv6AddressesCountByTheirSlash64(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{})
	for i := range 10 {
		l.Failed(call(fmt.Sprintf("[2001:db8:1:2::%x]:4000", i+1), wrongKey(i)))
	}
	assert.Error(t, l.Check(call("[2001:db8:1:2:ffff::1]:4000", "")))
	assert.NoError(t, l.Check(call("[2001:db8:1:3::1]:4000", "")), "another /64")
}

// A flood of addresses cannot grow the table past MaxClients; the newest
// failures are still counted.
func TestTheTableOfAddressesStaysBounded(t *testing.T) {
	l, _, _ := newLimiter(t, authlimit.Config{MaxClients: 100})
	for i := range 5000 {
		l.Failed(call(fmt.Sprintf("10.%d.%d.%d:4000", i>>16&255, i>>8&255, i&255), "mr-wrong"))
	}
	assert.Equal(t, 100, l.Size())
	for i := range 10 {
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
	}
	assert.Error(t, l.Check(call("192.0.2.1:4000", "")), "a full table still limits the address failing now")
	assert.Equal(t, 100, l.Size())
}

// The server log says when an address is limited, once a window, not once
// per refused call.
func TestALimitedAddressIsLoggedOnceAWindow(t *testing.T) {
	l, c, logs := newLimiter(t, authlimit.Config{})
	for i := range 25 {
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "client address limited"), logs.String())
	assert.Contains(t, logs.String(), "client=192.0.2.1")
	assert.NotContains(t, logs.String(), "mr-wrong", "keys never reach the log")

	c.now = c.now.Add(time.Minute)
	for i := range 10 {
		l.Failed(call("192.0.2.1:4000", wrongKey(i)))
	}
	assert.Equal(t, 2, strings.Count(logs.String(), "client address limited"), logs.String())
}
