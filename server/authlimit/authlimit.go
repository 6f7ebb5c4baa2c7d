// Package authlimit slows down guessing of the admin key: a client
// address that sends MaxFailures distinct wrong keys in a window to the
// routes the admin key opens (the management API, the reports), or to
// /metrics where it needs the operator's metrics key, is refused there with
// 429 until that window ends.
//
// The same wrong key sent again counts once: guessing needs a new key each
// try, while a script or dashboard holding one stale key resends it on
// every retry and reload, and counting each of those would lock the
// address out of its right key though nothing was guessed. Only a seeded
// hash of each wrong key is kept, never the key, and at most MaxFailures
// of them per address: once the limit is reached the address is refused
// without its key being looked at, so more need not be remembered.
//
// Client keys are not limited: the gateway makes them from 32 random bytes,
// so guessing one is hopeless, while behind a reverse proxy every client
// shares one address and one client retrying a revoked key would lock all
// of them out of the API. The admin key is the operator's choice and may be
// weak.
//
// The address is the connection's peer. Only when that peer is one of
// Config.TrustedProxies is X-Forwarded-For read, and then from its right
// end: each proxy appends the address it saw, so the right-most address
// that is not a trusted proxy is the client, and whatever the client wrote
// further left (a new address on every try) is never believed. Behind a
// reverse proxy every client has the proxy's address; without this, one
// client's guesses would lock every client out. IPv6 addresses count by
// their /64, the block one host is usually given. Only addresses that
// failed are kept, at most MaxClients, so calls that authenticate cost
// nothing and a flood of addresses cannot grow the table without limit.
package authlimit

import (
	"container/list"
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/apikey"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxFailures = 10
	DefaultWindow      = time.Minute
	DefaultMaxClients  = 10_000
)

// Reason is the error code of a call refused because its address failed
// too often.
const Reason = "too_many_failed_authentications"

// WrongKeyReason is the reason the refused-requests metric and the server
// log's refused lines give a call to a route the admin key opens that was
// refused for its key (none, or not the admin key). It is not the client's
// error code (the management API's invalid_api_key, the reports'
// unauthorized): a refused client key is a client to fix, a wrong admin
// key may be a guess at a key the operator chose, which the operator
// alerts on apart.
const WrongKeyReason = "admin_unauthorized"

// Config sets a Limiter up; zero values take the defaults.
type Config struct {
	// MaxFailures distinct wrong admin keys from one address within
	// Window refuse its calls until the window, which starts at its first
	// failure, ends.
	MaxFailures int
	Window      time.Duration
	// MaxClients bounds the addresses remembered; past it the one whose
	// window began first is forgotten.
	MaxClients int
	// KnownKey, optional, reports whether key opens some route of the
	// gateway (the admin key, a client key not revoked). Such a key
	// refused where it does not open the route (a client key sent to the
	// reports, as the playground's one key field does) is not a guess at
	// the admin key and is not counted.
	KnownKey func(ctx context.Context, key string) bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; none by default, and then no header is read.
	TrustedProxies []netip.Prefix

	Now    func() time.Time
	Logger *slog.Logger
}

// Limiter counts wrong admin keys per client address. A nil
// *Limiter limits nothing. Safe for concurrent use.
type Limiter struct {
	cfg Config
	// seed keys the hashes of wrong keys: one the caller cannot predict,
	// so distinct guesses cannot be made to collide and count once.
	seed maphash.Seed

	mu      sync.Mutex
	clients map[string]*list.Element
	// order holds the *client values, oldest window first: a window that
	// starts again moves its client to the back.
	order *list.List
}

type client struct {
	addr  string
	start time.Time
	// wrong holds the hashes of the distinct wrong keys of this window,
	// at most MaxFailures: its length is the address's failures.
	wrong []uint64
}

// failed records the wrong key hashed as h, unless it was sent before in
// this window or the limit is already reached; it reports whether it
// was recorded.
func (c *client) failed(h uint64, limit int) bool {
	if len(c.wrong) >= limit {
		return false
	}
	for _, w := range c.wrong {
		if w == h {
			return false
		}
	}
	c.wrong = append(c.wrong, h)
	return true
}

// New returns a Limiter.
func New(cfg Config) *Limiter {
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = DefaultMaxClients
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Limiter{cfg: cfg, seed: maphash.MakeSeed(), clients: make(map[string]*list.Element), order: list.New()}
}

// Check returns the 429 error (ERateLimited, with the wait in RetryAfter)
// for a call from r's address while it is limited, nil otherwise. Callers
// check before they look at the key: a limited address learns nothing
// about its guesses, right or wrong.
func (l *Limiter) Check(r *http.Request) error {
	if l == nil {
		return nil
	}
	addr, _ := l.ClientAddr(r)
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.clients[addr]
	if !ok {
		return nil
	}
	c := e.Value.(*client)
	end := c.start.Add(l.cfg.Window)
	if len(c.wrong) < l.cfg.MaxFailures || !now.Before(end) {
		return nil
	}
	return &router.Error{Code: router.ERateLimited, Reason: Reason, RetryAfter: end.Sub(now), Message: fmt.Sprintf(
		"Too many wrong admin or metrics keys from this address (%d in %s); retry after the number of seconds in Retry-After.",
		len(c.wrong), l.cfg.Window)}
}

// Failed counts a refused admin key of r against its address, when
// r sent a key (Authorization: Bearer, api-key or x-api-key) and that key
// is not a known one: a call without a key guesses nothing. A wrong key
// the address already sent in this window is not counted again. The
// failure that reaches the limit is logged, once a window.
func (l *Limiter) Failed(r *http.Request) {
	if l == nil {
		return
	}
	key := apikey.FromHeaders(r.Header)
	if key == "" || l.cfg.KnownKey != nil && l.cfg.KnownKey(r.Context(), key) {
		return
	}
	h := maphash.String(l.seed, key)
	addr, proxy := l.ClientAddr(r)
	now := l.cfg.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forgetEnded(now)
	var c *client
	if e, ok := l.clients[addr]; ok {
		c = e.Value.(*client)
		if !now.Before(c.start.Add(l.cfg.Window)) {
			c.start, c.wrong = now, c.wrong[:0]
			l.order.MoveToBack(e)
		}
	} else {
		if l.order.Len() >= l.cfg.MaxClients {
			l.remove(l.order.Front())
		}
		c = &client{addr: addr, start: now}
		l.clients[addr] = l.order.PushBack(c)
	}
	if !c.failed(h, l.cfg.MaxFailures) {
		return
	}
	if len(c.wrong) == l.cfg.MaxFailures {
		attrs := []any{"client", addr, "failures", len(c.wrong), "window", l.cfg.Window, "until", c.start.Add(l.cfg.Window).UTC().Format(time.RFC3339)}
		if proxy != "" {
			attrs = append(attrs, "proxy", proxy)
		}
		l.cfg.Logger.Warn("client address limited: too many failed authentications; its calls to the management API, the reports and /metrics (where it needs a key) get 429 until the window ends", attrs...)
	}
}

// forgetEnded drops the clients whose window has ended; l.mu is held.
func (l *Limiter) forgetEnded(now time.Time) {
	for e := l.order.Front(); e != nil && !now.Before(e.Value.(*client).start.Add(l.cfg.Window)); e = l.order.Front() {
		l.remove(e)
	}
}

func (l *Limiter) remove(e *list.Element) {
	delete(l.clients, e.Value.(*client).addr)
	l.order.Remove(e)
}

// ClientAddr is the address r's failures count against: the client's IP
// address, an IPv6 one cut to its /64. proxy is the trusted proxy that
// forwarded the call, "" when the address is the connection's own. A nil
// Limiter trusts no proxy: the address is the connection's.
func (l *Limiter) ClientAddr(r *http.Request) (addr, proxy string) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host, ""
	}
	peer = peer.Unmap().WithZone("")
	if l.trusted(peer) {
		if client, ok := l.forwardedClient(r.Header); ok {
			return addrKey(client), peer.String()
		}
	}
	return addrKey(peer), ""
}

// forwardedClient is the right-most address of h's X-Forwarded-For (its
// lines in order, each a comma-separated list) that is not a trusted
// proxy. ok is false where there is none: no header, only trusted
// proxies, or an entry that is no address before the client is reached
// (then the chain cannot be followed, and the peer counts).
func (l *Limiter) forwardedClient(h http.Header) (client netip.Addr, ok bool) {
	lines := h.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for {
			cut := strings.LastIndexByte(rest, ',')
			a, ok := parseHop(rest[cut+1:])
			if !ok {
				return netip.Addr{}, false
			}
			if !l.trusted(a) {
				return a, true
			}
			if cut < 0 {
				break
			}
			rest = rest[:cut]
		}
	}
	return netip.Addr{}, false
}

// parseHop reads one X-Forwarded-For entry: an IP address, perhaps with a
// port (IPv6 then in brackets), as proxies write them.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}

func (l *Limiter) trusted(a netip.Addr) bool {
	if l == nil {
		return false
	}
	for _, p := range l.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addrKey is the table's key for a: an IPv4 address as it is, an IPv6 one
// as its /64.
func addrKey(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}
