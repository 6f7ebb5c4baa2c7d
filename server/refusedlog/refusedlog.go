// Package refusedlog tells the operator, in the server log, of the
// requests the gateway refuses before serving them (a missing or wrong
// client or admin key, a foreign Host, a cross-site browser request), and
// counts them in the metric (Config.Count), without a line per request:
// such requests write no decision log row, so anyone who reaches the port
// could otherwise still grow a file with them, the server log.
//
// An address gets a line at its first refusal, so an attack or a
// misconfigured client shows at once, and then at most one line per
// Window: the line at a refusal after the window counts that refusal and
// those since the address's previous line. Refusals after an address's
// last line are written by Flush once its window has ended (Run calls it
// on a ticker, Start every FlushEvery), and by FlushAll at shutdown, so
// the last minute of a flood that stops is not left to the metrics alone.
//
// At most MaxClients addresses are remembered, the one whose line is
// oldest forgotten first once its window has ended; refusals it had not
// yet written a line for (Flush had not run since its window ended) are
// then counted on the OtherAddresses line. While every remembered address
// had its line within the window, the refusals of other addresses share
// one line per window, under OtherAddresses: a flood from many addresses
// writes at most MaxClients+1 lines a window.
package refusedlog

import (
	"container/list"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/modelrouter/modelrouter/server/authlimit"
)

// Defaults for the zero values of Config.
const (
	DefaultWindow     = time.Minute
	DefaultMaxClients = 10_000
)

// FlushEvery is how often Start looks for refusals whose address's window
// has ended without a line: often enough that a count is written within
// seconds of its minute's end, while a look at addresses whose windows
// have not ended stops at the first (they are kept oldest line first).
const FlushEvery = 10 * time.Second

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
	// Count, optional, counts every refusal by reason (the metric
	// modelrouter_refused_requests_total), the lines only summing them.
	Count func(reason string)
	// ClientAddr names the address a request counts against and the
	// trusted proxy that forwarded it ("" for none); default the
	// connection's address.
	ClientAddr func(r *http.Request) (addr, proxy string)
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
	// stopped is set by Start's stop: no flush comes after it, so a
	// refusal still coming (a handler the shutdown cut, still running)
	// is written at once rather than counted for a flush that never runs.
	stopped bool
}

type client struct {
	addr string
	// line is when the address's last line was written.
	line time.Time
	// unlogged counts its refusals since that line; last is the latest
	// of them, which a line written by Flush names.
	unlogged int
	last     refusal
}

// refusal is what a line says of the refusal it is written at; at is
// when it came, to tell which of two is the latest.
type refusal struct {
	proxy, reason, route string
	at                   time.Time
}

// line is one line to write: n refusals of addr, the latest being r.
type line struct {
	addr string
	n    int
	r    refusal
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
	if cfg.ClientAddr == nil {
		// A nil Limiter trusts no proxy.
		cfg.ClientAddr = (*authlimit.Limiter)(nil).ClientAddr
	}
	return &Log{cfg: cfg, clients: make(map[string]*list.Element), order: list.New(), others: client{addr: OtherAddresses}}
}

// Request counts r, refused for reason (the metric's label) on route (the
// route's pattern, not the client's path: a line quotes no text of the
// client's), and notes it against r's client address (Refused). A nil
// Log does nothing, for handlers built without one.
func (l *Log) Request(r *http.Request, reason, route string) {
	if l == nil {
		return
	}
	if l.cfg.Count != nil {
		l.cfg.Count(reason)
	}
	addr, proxy := l.cfg.ClientAddr(r)
	l.Refused(addr, proxy, reason, route)
}

// Refused notes a request from addr refused for reason on route; proxy is
// the trusted proxy that forwarded it ("" for none). It writes a line
// when addr has had none within the window, or once the log is stopped.
func (l *Log) Refused(addr, proxy, reason, route string) {
	now := l.cfg.Now()
	l.mu.Lock()
	c := l.clientFor(addr, now)
	c.unlogged++
	c.last = refusal{proxy: proxy, reason: reason, route: route, at: now}
	if !l.stopped && !l.ended(c, now) {
		l.mu.Unlock()
		return
	}
	out := l.take(c, now)
	l.mu.Unlock()
	l.write(out)
}

// Flush writes a line for each address whose window has ended with
// refusals since its line, and forgets the addresses whose window has
// ended with none: their next refusal gets a line at once, as a new
// address's does.
func (l *Log) Flush() { l.flush(false) }

// FlushAll writes a line for every address with refusals since its line,
// its window ended or not: at shutdown, when no later call or tick would.
func (l *Log) FlushAll() { l.flush(true) }

func (l *Log) flush(all bool) {
	now := l.cfg.Now()
	var out []line
	l.mu.Lock()
	// Oldest line first: without all, the first address whose window has
	// not ended ends the look. take moves an address written to the back,
	// so each of the n is looked at once, its successor read before.
	e := l.order.Front()
	for range l.order.Len() {
		c := e.Value.(*client)
		if !all && !l.ended(c, now) {
			break
		}
		next := e.Next()
		switch {
		case c.unlogged > 0:
			out = append(out, l.take(c, now))
		case !all:
			delete(l.clients, c.addr)
			l.order.Remove(e)
		}
		e = next
	}
	if l.others.unlogged > 0 && (all || l.ended(&l.others, now)) {
		out = append(out, l.take(&l.others, now))
	}
	l.mu.Unlock()
	for _, ln := range out {
		l.write(ln)
	}
}

// Run calls Flush at each tick until ctx ends. Tests send the ticks; Start
// runs it on a ticker.
func (l *Log) Run(ctx context.Context, ticks <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
			l.Flush()
		}
	}
}

// Start runs Flush every FlushEvery in one goroutine, however many
// addresses there are. stop ends it, waits for it, and then writes what
// is left (FlushAll): call it once the server has stopped serving. A
// refusal after stop gets its line at once.
func (l *Log) Start() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	t := time.NewTicker(FlushEvery)
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(ctx, t.C)
	}()
	return func() {
		cancel()
		<-done
		t.Stop()
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
		l.FlushAll()
	}
}

// ended reports whether c's window has ended. l.mu is held.
func (l *Log) ended(c *client, now time.Time) bool {
	return c.line.IsZero() || !now.Before(c.line.Add(l.cfg.Window))
}

// take is c's line now: it counts c's refusals since its previous one,
// which are then cleared, and moves c to the back of the order. l.mu is
// held.
func (l *Log) take(c *client, now time.Time) line {
	out := line{addr: c.addr, n: c.unlogged, r: c.last}
	c.line, c.unlogged = now, 0
	if e, ok := l.clients[c.addr]; ok && c != &l.others {
		l.order.MoveToBack(e)
	}
	return out
}

// write writes ln, outside l.mu: a slow log handler holds no refusal up.
func (l *Log) write(ln line) {
	attrs := []any{"client", ln.addr, "refused", ln.n, "reason", ln.r.reason, "route", ln.r.route}
	if ln.r.proxy != "" && ln.addr != OtherAddresses {
		attrs = append(attrs, "proxy", ln.r.proxy)
	}
	l.cfg.Logger.Warn(Message, attrs...)
}

// clientFor is addr's entry, made if need be; l.others when the table is
// full of addresses whose windows have not ended. An address forgotten to
// make room hands its refusals not yet written to l.others, whose line
// then counts them. l.mu is held.
func (l *Log) clientFor(addr string, now time.Time) *client {
	if e, ok := l.clients[addr]; ok {
		return e.Value.(*client)
	}
	if l.order.Len() >= l.cfg.MaxClients {
		oldest := l.order.Front()
		if now.Before(oldest.Value.(*client).line.Add(l.cfg.Window)) {
			return &l.others
		}
		old := oldest.Value.(*client)
		if old.unlogged > 0 {
			if l.others.unlogged == 0 || old.last.at.After(l.others.last.at) {
				l.others.last = old.last
			}
			l.others.unlogged += old.unlogged
		}
		delete(l.clients, old.addr)
		l.order.Remove(oldest)
	}
	c := &client{addr: addr}
	l.clients[addr] = l.order.PushBack(c)
	return c
}
