// Package refusedlog tells the operator, in the server log, of the
// requests the gateway refuses before serving them (a missing or wrong
// client key, a foreign Host, a cross-site browser request), without a
// line per request: such requests write no decision log row, so anyone who
// reaches the port could otherwise still grow a file with them, the server
// log.
//
// An address gets a line at its first refusal, so an attack or a
// misconfigured client shows at once, and then at most one line per
// Window: the line at a refusal after the window counts that refusal and
// those since the address's previous line. Refusals after an address's
// last line are not logged until it is refused again; the metrics count
// every one.
//
// At most MaxClients addresses are remembered, the one whose line is
// oldest forgotten first once its window has ended (what it had not
// reported is then left to the metrics). While every remembered address
// had its line within the window, the refusals of other addresses share
// one line per window, under OtherAddresses: a flood from many addresses
// writes at most MaxClients+1 lines a window.
package refusedlog

import (
	"container/list"
	"log/slog"
	"sync"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultWindow     = time.Minute
	DefaultMaxClients = 10_000
)

// OtherAddresses is the client of the line that counts the refusals of
// addresses the table had no room for.
const OtherAddresses = "other addresses"

// Message is the text of each line.
const Message = "requests refused before serving: at most one line per client address a minute, counting the refusals since its previous line"

// Config sets a Log up; zero values take the defaults.
type Config struct {
	Window     time.Duration
	MaxClients int
	Now        func() time.Time
	Logger     *slog.Logger
}

// Log counts refusals per client address and logs them at a bounded rate.
// Safe for concurrent use.
type Log struct {
	cfg Config

	mu      sync.Mutex
	clients map[string]*list.Element
	// order holds the *client values, oldest line first.
	order  *list.List
	others client
}

type client struct {
	addr string
	// line is when the address's last line was written.
	line time.Time
	// unlogged counts its refusals since that line.
	unlogged int
}

// New returns a Log.
func New(cfg Config) *Log {
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
	return &Log{cfg: cfg, clients: make(map[string]*list.Element), order: list.New(), others: client{addr: OtherAddresses}}
}

// Refused notes a request from addr refused with the error code reason on
// route (the route's pattern, not the client's path: a line quotes no
// text of the client's); proxy is the trusted proxy that forwarded it
// ("" for none). It writes a line when addr has had none within the
// window.
func (l *Log) Refused(addr, proxy, reason, route string) {
	now := l.cfg.Now()
	l.mu.Lock()
	c := l.clientFor(addr, now)
	c.unlogged++
	if !c.line.IsZero() && now.Before(c.line.Add(l.cfg.Window)) {
		l.mu.Unlock()
		return
	}
	n := c.unlogged
	c.line, c.unlogged = now, 0
	if e, ok := l.clients[c.addr]; ok {
		l.order.MoveToBack(e)
	}
	l.mu.Unlock()

	attrs := []any{"client", c.addr, "refused", n, "reason", reason, "route", route}
	if proxy != "" && c != &l.others {
		attrs = append(attrs, "proxy", proxy)
	}
	l.cfg.Logger.Warn(Message, attrs...)
}

// clientFor is addr's entry, made if need be; l.others when the table is
// full of addresses whose windows have not ended. l.mu is held.
func (l *Log) clientFor(addr string, now time.Time) *client {
	if e, ok := l.clients[addr]; ok {
		return e.Value.(*client)
	}
	if l.order.Len() >= l.cfg.MaxClients {
		oldest := l.order.Front()
		if now.Before(oldest.Value.(*client).line.Add(l.cfg.Window)) {
			return &l.others
		}
		delete(l.clients, oldest.Value.(*client).addr)
		l.order.Remove(oldest)
	}
	c := &client{addr: addr}
	l.clients[addr] = l.order.PushBack(c)
	return c
}
