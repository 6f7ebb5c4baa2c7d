package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// routePaths are the dry runs under /v1 (and /openai/v1), by the API of
// the body each decides: POST /v1/route a Chat Completions body, as it
// always has, and a path of its own for each other API. The path, not the
// body's shape, says which: a Chat Completions and a Messages body both
// have `messages`, and a Responses body with a stray `messages` would be
// read as a chat one; a server without a path answers 404, where one that
// ignored a query parameter would decide the body as a chat call.
var routePaths = map[string]openai.API{
	"/route":           openai.Chat,
	"/route/responses": openai.Responses,
	"/route/messages":  openai.Messages,
}

// azureRoutePaths are the dry runs under Azure's
// /openai/deployments/{deployment}: one for each API that path serves.
var azureRoutePaths = map[string]openai.API{
	"/route":           openai.Chat,
	"/route/responses": openai.Responses,
}

// routeMessagesPaths are the Messages dry run's paths (routePaths under
// each prefix).
var routeMessagesPaths = []string{"/v1/route/messages", "/openai/v1/route/messages"}

// onRouteMessagesPath reports whether c is a dry run of a Messages body:
// its errors are in Anthropic's shape, as the real call's are. It reads
// the path as sent, as onMessagesPath does, not the route it matched:
// gin's 405 for a wrong method and its 404 for a path below it match no
// route, and they are the Messages dry run's errors too.
func onRouteMessagesPath(c *gin.Context) bool { return under(c.Request.URL.Path, routeMessagesPaths) }

// route answers a dry run (routePaths): the decision for a body of api,
// made by the same code as the real call's (decide), with nothing
// forwarded. When no candidate has a configured provider it still shows a
// decision: the one PreviewRouter (the same router model, blind to
// provider availability) makes, marked as not forwardable, with the
// settings to provide.
func (s *Server) route(api openai.API) gin.HandlerFunc {
	return func(c *gin.Context) {
		r, err := s.decide(c, api, true)
		forwardable := true
		var note string
		if router.ErrorCode(err) == router.ENotConfigured && s.cfg.PreviewRouter != nil && r != nil {
			note = router.ErrorMessage(err)
			forwardable = false
			err = s.decideWith(c, s.cfg.PreviewRouter, api, r)
		}
		if err != nil {
			s.writeError(c, hintResponsesDryRun(c, api, err))
			return
		}
		rr := openai.Route(requestID(c), r.decision, r.needs.InputTokens)
		rr.Forwardable, rr.Note = forwardable, note
		c.JSON(http.StatusOK, rr)
	}
}

// hintResponsesDryRun adds, to the refusal of a chat dry run's body
// without `messages`, where a Responses body's dry run is: such a body is
// most likely one (its conversation is in `input`). It names the path's
// pattern, {deployment} for Azure's, never the path as sent.
func hintResponsesDryRun(c *gin.Context, api openai.API, err error) error {
	var re *router.Error
	if api != openai.Chat || !errors.As(err, &re) || re.Param != "messages" ||
		!strings.HasPrefix(re.Message, "missing required parameter") {
		return err
	}
	path := strings.Replace(c.FullPath(), ":deployment", "{deployment}", 1)
	hinted := *re
	hinted.Message += "; POST " + path + " reads a Chat Completions body, and a Responses body's dry run is POST " + path + "/responses"
	return &hinted
}
