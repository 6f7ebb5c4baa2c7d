package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/server/internal/bodyread"
	"github.com/modelrouter/modelrouter/server/openai"
)

// refusedReadBytes is how far a body refused for its size is read for the
// model it names, on the wire and decompressed alike: twice the limit.
// Clients put the model anywhere (OpenAI's and Anthropic's Python SDKs
// send it after the messages, which are what makes a body too large), so
// reading only up to the limit would miss most; reading on to the end
// would let one client make the gateway read without end. Past the limit
// nothing is kept (jsonscan.LastString holds a few kilobytes), so a
// refused body costs the gateway less than one just under the limit,
// which it keeps and parses, and the limit still bounds what any call
// costs; the read stays under --body-timeout and --grace.
func refusedReadBytes(limit int64) int64 { return 2 * limit }

// modelOfRefused returns the model a body refused for its size names
// (openai.ModelOfCut): read is what readBody read of it, nil where it read
// none; the rest of the body is read after it, up to refusedReadBytes in
// all, under the same bound on silence and the same stop as any body
// read, and a gzip body is decompressed as it is read, up to
// refusedReadBytes too. It keeps nothing but the model. The call is
// answered 413 whatever this read meets; a body it did not read to its
// end has its connection closed after that answer, so that net/http does
// not read on after the bound.
func (s *Server) modelOfRefused(c *gin.Context, read []byte, enc string) string {
	var decode func(io.Reader) (io.Reader, error)
	switch enc {
	case "", "identity":
	case "gzip", "x-gzip":
		decode = func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }
	default:
		return "" // an encoding the gateway cannot read
	}
	bound := refusedReadBytes(s.cfg.MaxBodyBytes)
	rest := &boundedReader{r: c.Request.Body, n: bound - int64(len(read))}
	var model string
	_ = bodyread.ReadWith(s.cfg.Drain, c.Writer, rest, s.cfg.BodyTimeout, func(rest io.Reader) error {
		plain := io.MultiReader(bytes.NewReader(read), rest)
		if decode != nil {
			zr, err := decode(plain)
			if err != nil {
				return nil
			}
			plain = &boundedReader{r: zr, n: bound}
		}
		model = openai.ModelOfCut(plain)
		return nil
	})
	if !rest.ended {
		// The deadline in the past fails net/http's own read of what is
		// left (up to 256 KiB of a chunked body, before it answers), so
		// it closes the connection after the 413.
		_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now())
	}
	return model
}

// errReadFarEnough ends a boundedReader at its bound. It is not io.EOF,
// which says that the body itself ended.
var errReadFarEnough = errors.New("a refused body is read no further")

// boundedReader reads at most n bytes of r.
type boundedReader struct {
	r     io.Reader
	n     int64
	ended bool // r ended (io.EOF)
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errReadFarEnough
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

// expectsContinue reports whether the client waits for `100 Continue`
// before it sends the body, which net/http sends on the body's first read.
func expectsContinue(r *http.Request) bool {
	for _, v := range r.Header.Values("Expect") {
		if strings.Contains(strings.ToLower(v), "100-continue") {
			return true
		}
	}
	return false
}
