package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/server/openai"
)

// route answers POST /v1/route: the decision for a Chat Completions body,
// with nothing forwarded.
func (s *Server) route(c *gin.Context) {
	r, err := s.decide(c, apiRoute)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, openai.Route(requestID(c), r.decision, r.needs.InputTokens))
}
