package server

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/apierr"
	"github.com/modelrouter/modelrouter/server/openai"
)

// errorBody builds the OpenAI error envelope for err (see package apierr,
// the one place that maps error codes to HTTP).
func errorBody(err error) (int, openai.ErrorBody) { return apierr.Response(err) }

// writeError answers with err in the OpenAI error shape (Anthropic's on the
// Messages API) and aborts the handler chain. Internal errors are logged
// with the request id; the client only sees "Internal error.". A response
// already under way (a stream) is left alone: its status line is gone.
func (s *Server) writeError(c *gin.Context, err error) {
	ex := exchangeOf(c)
	if errors.Is(err, errClientLeft) || errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client left before its answer (a lookup was cut short, or
		// its body broke off): no one reads an answer, and nothing
		// internal failed. It is logged as when the client leaves during
		// forwarding.
		if ex != nil {
			ex.fail(router.Errorf(router.EUpstream, "client closed the request"))
			ex.rec.Status = statusClientClosed
		}
		c.Abort()
		return
	}
	if ex != nil {
		ex.fail(err)
	}
	if apierr.IsInternal(err) {
		s.log.Error("internal error", "request_id", requestID(c), "path", c.FullPath(), "err", err)
	}
	if c.Writer.Written() {
		c.Abort()
		return
	}
	apierr.SetHeaders(c.Writer.Header(), err)
	if anthropicShaped(c, err) {
		status, body := apierr.AnthropicResponse(err)
		c.AbortWithStatusJSON(status, body)
		return
	}
	status, body := errorBody(err)
	c.AbortWithStatusJSON(status, body)
}

// anthropicShaped reports whether c's error goes out in Anthropic's shape:
// on the Messages paths and their dry run, and from an Anthropic client (anthropic-version,
// or the /anthropic prefix) on the model list or on a path no route
// serves, where an Anthropic SDK given a wrong base URL lands and would
// otherwise read OpenAI's shape as an error with no type or message.
// An Anthropic client's call to an OpenAI route keeps that route's shape,
// its 405 for a wrong method included.
func anthropicShaped(c *gin.Context, err error) bool {
	unrouted := c.FullPath() == "" && router.ErrorCode(err) == router.ENotFound // gin's NoRoute
	return onMessagesPath(c) || onRouteMessagesPath(c) || anthropicCaller(c) && (onModelsPath(c) || unrouted)
}

// AnthropicShapedPath reports whether the errors of a request for path
// (unescaped, as URL.Path) are in Anthropic's shape whatever the request's
// headers: the Messages API's paths and its dry run's (anthropicShaped).
// serve's --max-connections refusal, which reads only the request line,
// answers in the shape it says.
func AnthropicShapedPath(path string) bool {
	return under(path, messagesPaths) || under(path, routeMessagesPaths)
}

// statusClientClosed is the status logged for a client that left before
// its answer (nginx's 499; no response is written).
const statusClientClosed = 499

// errClientLeft marks an error that only says the client went away.
var errClientLeft = errors.New("client closed the request")
