package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// onMessagesPath reports whether a request is under a Messages path,
// served or not: its errors are answered in Anthropic's shape, which its
// SDKs read (and no other).
func onMessagesPath(c *gin.Context) bool { return under(c.Request.URL.Path, messagesPaths) }

// under reports whether path is one of paths or below one.
func under(path string, paths []string) bool {
	for _, p := range paths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// messagesPaths are where the Messages API is served: Anthropic's own path,
// and the one Foundry serves it under.
var messagesPaths = []string{"/v1/messages", "/anthropic/v1/messages"}

// countTokens answers POST /v1/messages/count_tokens with the gateway's own
// estimate of what the request's model would read: the same count that
// routing uses for context fit and capacity. It is not Claude's tokenizer,
// and nothing is forwarded or logged.
func (s *Server) countTokens(c *gin.Context) {
	raw, err := s.readBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	req, err := openai.Parse(openai.CountTokens, raw)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// As Anthropic's does, and as /v1/messages would answer it: a count
	// for a model the call could not name is no count at all.
	if req.Model == "" {
		s.writeError(c, &router.Error{Code: router.EInvalid, Param: "model", Message: "missing required parameter: 'model'"})
		return
	}
	if _, err := impossibleDeploymentName(req.Model); err != nil {
		// Refused as a call naming it is, and not echoed at any length.
		s.writeError(c, err)
		return
	}
	if _, _, err := s.resolveDeployment(c.Request.Context(), req.Model); err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"input_tokens": s.inputTokens(&req)})
}

// inputTokens estimates the tokens the upstream model reads: the text, each
// image and each PDF page.
func (s *Server) inputTokens(req *openai.Request) int {
	return s.cfg.EstimateTokens(req.InputTexts()) + req.Images*s.cfg.ImageTokens + req.FilePages*s.cfg.PageTokens
}
