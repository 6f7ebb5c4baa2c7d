package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// route answers POST /v1/route: the decision for a Chat Completions body,
// with nothing forwarded. When no candidate has a configured provider it
// still shows a decision: the one PreviewRouter (the same router model,
// blind to provider availability) makes, marked as not forwardable, with
// the settings to provide.
func (s *Server) route(c *gin.Context) {
	r, err := s.decide(c, apiRoute)
	forwardable := true
	var note string
	if router.ErrorCode(err) == router.ENotConfigured && s.cfg.PreviewRouter != nil && r != nil {
		note = router.ErrorMessage(err)
		forwardable = false
		err = s.decideWith(c, s.cfg.PreviewRouter, apiRoute, r)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	rr := openai.Route(requestID(c), r.decision, r.needs.InputTokens)
	rr.Forwardable, rr.Note = forwardable, note
	c.JSON(http.StatusOK, rr)
}
