package server

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/server/openai"
)

// anthropicErrorsKey marks a request on Anthropic's Messages API, whose
// errors are answered in Anthropic's shape: its SDKs read no other.
const anthropicErrorsKey = "modelrouter.anthropic_errors"

func anthropicErrors(c *gin.Context) {
	c.Set(anthropicErrorsKey, true)
	c.Next()
}

// markAnthropicPath gives a request under a Messages path that no route
// serves (a batch, a GET) Anthropic's error shape too.
func markAnthropicPath(c *gin.Context) {
	for _, p := range messagesPaths {
		if path := c.Request.URL.Path; path == p || strings.HasPrefix(path, p+"/") {
			c.Set(anthropicErrorsKey, true)
		}
	}
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
	c.JSON(http.StatusOK, gin.H{"input_tokens": s.cfg.EstimateTokens(req.InputText()) + req.Images*s.cfg.ImageTokens})
}
