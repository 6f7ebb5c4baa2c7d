package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/bodyread"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// readBody reads the whole body once, capped at MaxBodyBytes. A gzip body
// (Content-Encoding: gzip) is decompressed here, and the cap applies to the
// decompressed bytes too, so a small compressed body cannot expand without
// bound; the upstream then gets plain JSON.
//
// The body may pause for at most BodyTimeout between two reads
// (bodyread): the server bounds only the headers, and the call's own
// deadline starts once the body is in, so a client that sends part of a
// body and then nothing would otherwise hold its connection, a handler
// and a decision-log slot for ever, while a large body on a slow link
// must not be refused for its size. The bound is on this read only (a
// server-wide ReadTimeout would also cut the connection under a long
// streamed answer).
//
// A body over the cap is refused as on every route (bodyread.Read): one
// whose Content-Length is over it before any of it is read, so that a
// client that sent `Expect: 100-continue` (curl does above 1 MiB) gets the
// 413 instead of `100 Continue`, and the connection is closed after the
// 413 unless the body was read to its end. (readBodyFor reads such a body
// on for its model where the client did not wait, so is sending it
// anyway.)
func (s *Server) readBody(c *gin.Context) ([]byte, error) {
	raw, _, err := s.readBodyFor(c, false)
	return raw, err
}

// readBodyFor is readBody for an API call, which is logged: with naming,
// a body refused for its size also gives the model it names
// (modelOfRefused, which reads it on), so that the call is logged under it
// rather than as "(unknown)".
func (s *Server) readBodyFor(c *gin.Context, naming bool) (raw []byte, model string, err error) {
	if s.cfg.Refuse != nil && s.cfg.Refuse.Err() != nil {
		// Here, not in readLimited: a read by id reads its body there too
		// (wantsStream), and begins no model's answer to refuse.
		return nil, "", upstream.ShuttingDown()
	}
	limit := s.cfg.MaxBodyBytes
	enc := strings.ToLower(strings.TrimSpace(c.GetHeader("Content-Encoding")))
	raw, err = s.readLimited(c, s.bodyLimit(limit))
	if errors.Is(err, bodyread.ErrTooLarge) {
		if naming {
			model = modelOfRefused(err, enc, refusedReadBytes(limit))
		}
		return nil, model, tooLarge(limit)
	}
	if err != nil {
		return nil, "", err
	}
	switch enc {
	case "", "identity":
		return raw, "", nil
	case "gzip", "x-gzip":
		plain, err := gunzip(raw, limit)
		if naming && router.ErrorCode(err) == router.ETooLarge {
			// The body came whole: only its decompressed bytes are over.
			model = modelOfRead(raw, strings.NewReader(""), enc, refusedReadBytes(limit))
		}
		return plain, model, err
	default:
		return nil, "", &router.Error{Code: router.EInvalid, Param: "Content-Encoding",
			Message: fmt.Sprintf("Content-Encoding %q is not supported; send the body as gzip or uncompressed", enc)}
	}
}

// bodyLimit is how the gateway's routes read a body of at most max bytes:
// under --body-timeout and --min-body-rate, ended by a shutdown.
func (s *Server) bodyLimit(max int64) bodyread.Limit {
	return bodyread.Limit{Max: max, Timeout: s.cfg.BodyTimeout, MinRate: s.cfg.MinBodyRate,
		Grace: s.cfg.MinBodyRateGrace, Stop: s.cfg.Drain}
}

// readLimited reads c's body under l (bodyread.Read) and words what ends
// the read as every route answers it: a shutdown 503, a stall 408, a
// client that left 499, a body sent wrong 400. A body over the limit stays
// bodyread's *Refused (bodyread.ErrTooLarge), for the caller's 413 to name
// its limit.
func (s *Server) readLimited(c *gin.Context, l bodyread.Limit) ([]byte, error) {
	raw, err := bodyread.Read(c.Writer, c.Request, l)
	switch {
	case err == nil || errors.Is(err, bodyread.ErrTooLarge):
		return raw, err
	case errors.Is(err, bodyread.ErrStopped):
		return nil, upstream.ShuttingDown()
	case bodyread.Stalled(err):
		return nil, bodyread.StalledError(err)
	case brokenOff(c, err):
		return nil, fmt.Errorf("%w: its body broke off: %v", errClientLeft, err)
	default:
		return nil, router.Errorf(router.EInvalid, "cannot read the request body: %v", err)
	}
}

// tooLarge is the 413 for a body over limit, however it was found out.
func tooLarge(limit int64) error {
	return router.Errorf(router.ETooLarge, "The request body is larger than the limit of %d bytes.", limit)
}

// brokenOff reports whether a body read failed because the client's
// connection went away mid-body (closed or reset), rather than on a body
// the client sent wrong (malformed chunked encoding): no one is left to
// read a 400, and the request itself was never shown to be invalid.
func brokenOff(c *gin.Context, err error) bool {
	return c.Request.Context().Err() != nil || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// gunzip decompresses a gzip request body of at most limit bytes once
// decompressed.
func gunzip(raw []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, router.Errorf(router.EInvalid, "the request body is not valid gzip: %v", err)
	}
	defer zr.Close()
	plain, err := io.ReadAll(io.LimitReader(zr, bodyread.OneMore(limit)))
	if err != nil {
		return nil, router.Errorf(router.EInvalid, "the request body is not valid gzip: %v", err)
	}
	if int64(len(plain)) > limit {
		return nil, router.Errorf(router.ETooLarge, "The decompressed request body is larger than the limit of %d bytes.", limit)
	}
	return plain, nil
}
