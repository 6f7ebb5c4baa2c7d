package server

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/internal/apikey"
	"github.com/modelrouter/modelrouter/server/internal/bodyread"
)

// HeaderRequestID carries the id that keys the decision log row. It is on
// every response, errors included.
const HeaderRequestID = "x-request-id"

// headerAnthropicRequestID is where Anthropic's API sends a call's id, and
// where its SDKs read it (the Go SDK's Error.RequestID, the Python and
// TypeScript SDKs' _request_id).
const headerAnthropicRequestID = "request-id"

const requestIDKey = "modelrouter.request_id"

// requestID gives every request a fresh id. A client-sent x-request-id is
// not reused: the id is the decision log's primary key and must be unique.
// An Anthropic client gets it under Anthropic's name too, so that its SDK
// reports the id the log and feedback know the call by.
func (s *Server) requestID(c *gin.Context) {
	id := newRequestID(time.Now())
	c.Set(requestIDKey, id)
	c.Header(HeaderRequestID, id)
	if onMessagesPath(c) || anthropicCaller(c) {
		c.Header(headerAnthropicRequestID, id)
	}
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(requestIDKey) }

// endUnreadBody has net/http give up a request's body that no handler
// reads to its end, on every route, mounted ones included, and closes the
// connection after the answer (bodyread.EndUnlessRead); the routes that
// read a body read it through bodyread, which keeps the connection. It
// comes first, before anything can answer.
func endUnreadBody(c *gin.Context) { bodyread.EndUnlessRead(c.Writer, c.Request) }

// recover turns a panic in a later handler into a 500 in the OpenAI shape.
// http.ErrAbortHandler is re-raised: it is net/http's way to drop a
// connection on purpose (a cut stream).
func (s *Server) recover(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(v)
		}
		s.log.Error("panic", "request_id", requestID(c), "path", c.Request.URL.Path, "panic", v, "stack", string(debug.Stack()))
		s.writeError(c, fmt.Errorf("panic: %v", v))
	}()
	c.Next()
}

// crossOrigin tells a browser's cross-site request from a client's: a
// browser says where a request comes from (Sec-Fetch-Site, Origin), an SDK,
// curl or a server sends neither.
var crossOrigin = http.NewCrossOriginProtection()

// refuseCrossSite answers 403 to a browser request of another site that is
// not a safe method (GET, HEAD, OPTIONS). Without a key (the default on
// loopback) nothing else stops a page the operator visits from sending a
// form or no-cors fetch, which needs no preflight, that spends the
// operator's provider credit; no route sends CORS headers, so no
// cross-site page can use the gateway legitimately. Same-origin calls (the
// playground) and non-browser clients pass.
func (s *Server) refuseCrossSite(c *gin.Context) {
	if crossOrigin.Check(c.Request) != nil {
		s.refuse(c, &router.Error{Code: router.EForbidden, Reason: reasonCrossSite,
			Message: "cross-site browser requests are refused: call the gateway from a server, an SDK or its own origin"})
		return
	}
	c.Next()
}

// refuse answers a request the gateway will not serve at all and counts
// it by the error code the client gets: it gets no decision record
// (nothing was decided, and anyone who reaches the port could fill the
// log with rows), so without the count and the server log's line, at
// most one a minute per client address, an operator would not see a
// misconfigured --allowed-hosts or client, or a page or script probing
// the gateway.
func (s *Server) refuse(c *gin.Context, err *router.Error) {
	reason := err.Reason
	if reason == "" {
		reason = err.Code
	}
	route := c.FullPath()
	if route == "" {
		route = noRoute
	}
	s.cfg.RefusedLog.Request(c.Request, reason, route)
	s.writeError(c, err)
}

// noRoute names, in the server log's line about refused requests, the
// route of a path no route serves (a page probing the gateway).
const noRoute = "none"

// reasonCrossSite is the error code of a refused cross-site browser request.
const reasonCrossSite = "cross_site_request"

// logHandlerErrors logs the errors mounted handlers (the management and
// report APIs) attach with c.Error: internal ones, whose text the client
// never sees.
func (s *Server) logHandlerErrors(c *gin.Context) {
	c.Next()
	for _, err := range c.Errors {
		s.log.Error("internal error", "request_id", requestID(c), "path", c.FullPath(), "err", err.Err)
	}
}

// Authenticate demands a client key that Keys accepts when RequireKeys is
// set; otherwise it lets every request through. The key is sent as
// `Authorization: Bearer <key>` (OpenAI), `api-key: <key>` (Azure) or
// `x-api-key: <key>` (Anthropic). Keys never reach logs or error messages.
// Wrong client keys are not limited per address, unlike wrong admin keys
// (server/authlimit): a gateway-made key cannot be guessed, and behind a
// reverse proxy one client retrying a revoked key would lock every client
// sharing the proxy's address out of the API. A refused key is counted
// and logged at a bounded rate instead (refuse); API routes authenticate
// before their record begins, so it writes no decision row.
func (s *Server) Authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.cfg.RequireKeys {
			c.Next()
			return
		}
		key := apikey.FromHeaders(c.Request.Header)
		if key == "" {
			s.refuse(c, router.Errorf(router.EUnauthorized,
				"Missing API key: send it as 'Authorization: Bearer <key>', 'api-key: <key>' or 'x-api-key: <key>'."))
			return
		}
		if s.cfg.Keys == nil {
			s.writeError(c, errors.New("keys are required but no key store is configured"))
			return
		}
		id, err := s.cfg.Keys.VerifyKey(c.Request.Context(), key)
		if err != nil {
			switch router.ErrorCode(err) {
			case router.EInternal:
				s.writeError(c, fmt.Errorf("verify key: %w", err))
			case router.EForbidden:
				s.refuse(c, router.Errorf(router.EForbidden, "This API key may not call this route."))
			default:
				s.refuse(c, router.Errorf(router.EUnauthorized, "Invalid API key."))
			}
			return
		}
		if id == "" {
			// Answers are owned by key id: an empty one would open them
			// to every key.
			s.writeError(c, errors.New("verify key: the key store gave no key id"))
			return
		}
		c.Set(keyIDKey, id)
		c.Next()
	}
}

// keyIDKey is where Authenticate leaves the caller's key id.
const keyIDKey = "modelrouter.key_id"

// keyIDOf is the id of the key the call came with ("" when the gateway
// needs none).
func keyIDOf(c *gin.Context) string { return c.GetString(keyIDKey) }

// mayUse reports whether the caller may read, delete or continue an answer
// made with the key owner: answers belong to the key that made them. An
// answer made with no key (before keys were needed) is anyone's, and with
// no keys needed there is no one to tell apart.
func (s *Server) mayUse(owner, caller string) bool {
	return !s.cfg.RequireKeys || owner == "" || owner == caller
}

// mayUseAs is mayUse for one caller, for what checks the owners of many.
func (s *Server) mayUseAs(caller string) func(owner string) bool {
	return func(owner string) bool { return s.mayUse(owner, caller) }
}

// newRequestID returns 32 hex digits: the time in milliseconds (48 bits),
// then 80 random bits. Ids that sort by time make the decision log's
// primary-key index grow at its end: with purely random ids every logged
// row dirtied a random page of that index, one more 4 KiB page written to
// the WAL (and later checkpointed) per request. 80 random bits keep ids
// unguessable and unique within a millisecond.
func newRequestID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}
