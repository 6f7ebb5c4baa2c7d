package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
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
// A body whose Content-Length is over the cap is refused before any of it
// is read: a client that sent `Expect: 100-continue` (curl does above 1
// MiB) then gets the 413 instead of `100 Continue`, which net/http sends
// on the first read, and never sends megabytes only to be refused.
//
// A body refused for its size after it was read up to the limit (one
// sent without a Content-Length, or a gzip body that decompresses past
// the limit) comes back with the error: what was read of it, at most the
// limit and uncompressed, so that the call can still be logged under the
// model it names first (openai.ModelOfPrefix). Every other error returns
// no bytes.
func (s *Server) readBody(c *gin.Context) ([]byte, error) {
	limit := s.cfg.MaxBodyBytes
	if c.Request.ContentLength > limit {
		return nil, router.Errorf(router.ETooLarge, "The request body is larger than the limit of %d bytes.", limit)
	}
	raw, err := bodyread.ReadAllUntil(s.cfg.Drain, c.Writer, http.MaxBytesReader(c.Writer, c.Request.Body, limit), s.cfg.BodyTimeout)
	if errors.Is(err, bodyread.ErrStopped) {
		return nil, upstream.ShuttingDown()
	}
	if bodyread.Stalled(err) {
		return nil, bodyread.StalledError(s.cfg.BodyTimeout)
	}
	enc := strings.ToLower(strings.TrimSpace(c.GetHeader("Content-Encoding")))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			var read []byte // a gzip body's bytes say nothing as they are
			if enc == "" || enc == "identity" {
				read = raw
			}
			return read, router.Errorf(router.ETooLarge, "The request body is larger than the limit of %d bytes.", tooBig.Limit)
		}
		if brokenOff(c, err) {
			return nil, fmt.Errorf("%w: its body broke off: %v", errClientLeft, err)
		}
		return nil, router.Errorf(router.EInvalid, "cannot read the request body: %v", err)
	}
	switch enc {
	case "", "identity":
		return raw, nil
	case "gzip", "x-gzip":
		return gunzip(raw, limit)
	default:
		return nil, &router.Error{Code: router.EInvalid, Param: "Content-Encoding",
			Message: fmt.Sprintf("Content-Encoding %q is not supported; send the body as gzip or uncompressed", enc)}
	}
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
// decompressed; one over it returns its first limit bytes with the error,
// as readBody does.
func gunzip(raw []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, router.Errorf(router.EInvalid, "the request body is not valid gzip: %v", err)
	}
	defer zr.Close()
	plain, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, router.Errorf(router.EInvalid, "the request body is not valid gzip: %v", err)
	}
	if int64(len(plain)) > limit {
		return plain[:limit], router.Errorf(router.ETooLarge, "The decompressed request body is larger than the limit of %d bytes.", limit)
	}
	return plain, nil
}
