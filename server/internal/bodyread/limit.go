package bodyread

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// ErrTooLarge ends a [Read] of a body over its [Limit] (the error is a
// [*Refused]): the route answers 413 in its API's error shape, naming its
// limit.
var ErrTooLarge = errors.New("request body: over the limit")

// Limit is how a route reads a request body: at most Max bytes, under the
// bound on silence Timeout and, once Grace has passed, at an average of at
// least MinRate bytes a second since its read began (0: no minimum), until
// Stop (nil: never), as [ReadAllUntil].
type Limit struct {
	Max     int64
	Timeout time.Duration
	MinRate int64
	// Grace is how long the read may go before MinRate holds (0:
	// [DefaultGrace]); only tests set it.
	Grace time.Duration
	Stop  context.Context
}

// Read reads req's body whole under l; every route that reads a body reads
// it here, so that every body refused for its size ends the same way.
//
// A body over l.Max fails with a [*Refused] ([ErrTooLarge]): one whose
// Content-Length is over it before any of it is read, so that a client
// that sent `Expect: 100-continue` (curl does above 1 MiB) gets the
// refusal instead of `100 Continue`, which net/http sends on the first
// read, and never sends it; another once l.Max+1 bytes are in. Nothing
// more is read of it than [Refused.ReadOn] reads.
//
// Unless that body is read to its end, its connection's read deadline is
// left in the past, so net/http closes the connection after the answer.
// Otherwise net/http would read up to 256 KiB more of it first, with no
// deadline (the server bounds only the headers), so a client sending
// slowly, or not at all, could hold the connection and its handler;
// http.MaxBytesReader would mark the connection to close, but cannot
// through gin's response writer.
func Read(w http.ResponseWriter, req *http.Request, l Limit) ([]byte, error) {
	if req.ContentLength > l.Max {
		refuse(w)
		return nil, &Refused{w: w, body: req.Body, l: l, unasked: ExpectsContinue(req)}
	}
	// Within the limit here, so a buffer of its Content-Length holds it.
	raw, err := ReadAllUntil(w, io.LimitReader(req.Body, OneMore(l.Max)), l, req.ContentLength)
	if err != nil || int64(len(raw)) <= l.Max {
		return raw, err
	}
	refuse(w)
	return nil, &Refused{w: w, body: req.Body, read: raw, l: l}
}

// Refused is the error of a [Read] of a body over its limit.
type Refused struct {
	w       http.ResponseWriter
	body    io.Reader
	read    []byte // what Read read of it: nil where its Content-Length refused it
	l       Limit
	unasked bool // its client waits for 100 Continue, so has not sent it
}

func (r *Refused) Error() string { return ErrTooLarge.Error() }
func (r *Refused) Unwrap() error { return ErrTooLarge }

// ReadOn hands the refused body to read, for what the route needs of it
// (the gateway: the model to log the call under): read gets what was read
// of it and the rest, which ends at n bytes in all, read under the same
// bounds on time and the same stop (the rate's counted afresh). A body it
// reads to its end keeps its connection; one whose client waits for 100
// Continue is not read on, since it was never asked for.
func (r *Refused) ReadOn(n int64, read func(read []byte, rest io.Reader)) {
	if r.unasked {
		return
	}
	rest := NewBounded(r.body, n-int64(len(r.read)))
	_ = ReadWith(r.w, rest, r.l, func(rest io.Reader) error {
		read(r.read, rest)
		return nil
	})
	if !rest.Ended() {
		refuse(r.w)
	}
}

// EndUnlessRead is called before every handler, for a request that
// carries a body: it sets the connection's read deadline in the past, so
// that a body no one reads to its end (a route that reads none, such as a
// model list or a cancel; a call answered before its body is read, such
// as a wrong key's 401) is one net/http gives up at once, closing the
// connection after the answer, rather than reading up to 256 KiB more of
// it with no deadline, first: the answer waited, and a client sending it
// slowly or not at all held the connection and its handler. A route that
// reads the body reads it through [ReadWith], which moves the deadline
// ahead before its first read and lifts it once the body is in, so its
// connection is kept. What of the body net/http already holds (a small
// one sent with its headers) it still reads, so such a connection is kept
// too. A request without a body ([http.NoBody]: most GETs) costs nothing.
func EndUnlessRead(w http.ResponseWriter, req *http.Request) {
	if req.Body != nil && req.Body != http.NoBody {
		refuse(w)
	}
}

// refuse fails net/http's own read of what is left of a body, a body
// refused for its size or one no one reads, by setting the read deadline
// in the past: it then closes the connection after the answer.
func refuse(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// ExpectsContinue reports whether the client waits for `100 Continue`
// before it sends the body, which net/http sends on the body's first read.
func ExpectsContinue(r *http.Request) bool {
	for _, v := range r.Header.Values("Expect") {
		if strings.Contains(strings.ToLower(v), "100-continue") {
			return true
		}
	}
	return false
}

// ErrReadFarEnough ends a [Bounded] reader at its bound. It is not io.EOF,
// which says that what it reads ended.
var ErrReadFarEnough = errors.New("request body: read no further")

// Bounded reads at most a given number of bytes of a reader.
type Bounded struct {
	r     io.Reader
	n     int64
	ended bool
}

// NewBounded reads at most n bytes of r.
func NewBounded(r io.Reader, n int64) *Bounded { return &Bounded{r: r, n: n} }

func (b *Bounded) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, ErrReadFarEnough
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	if err == io.EOF {
		b.ended = true
	}
	return n, err
}

// Ended reports whether what b reads ended (io.EOF) within its bound.
func (b *Bounded) Ended() bool { return b.ended }

// OneMore is how much of a body to read to learn whether it is over max:
// a byte past it, but at --max-body's largest value, where max+1 would wrap
// to a negative count and read every body as empty.
func OneMore(max int64) int64 { return min(max, math.MaxInt64-1) + 1 }
