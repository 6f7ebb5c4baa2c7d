package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// httpError is how one router error code looks on the wire.
type httpError struct {
	status int
	typ    string // OpenAI error type
}

// errorMap is the only place that turns router error codes into HTTP
// statuses and OpenAI error types.
var errorMap = map[string]httpError{
	router.EInvalid:       {http.StatusBadRequest, "invalid_request_error"},
	router.ENotFound:      {http.StatusNotFound, "not_found_error"},
	router.ENoEligible:    {http.StatusBadRequest, "invalid_request_error"},
	router.ENotConfigured: {http.StatusServiceUnavailable, "service_unavailable_error"},
	router.EUpstream:      {http.StatusBadGateway, "upstream_error"},
	router.ERateLimited:   {http.StatusTooManyRequests, "rate_limit_error"},
	router.ETooLarge:      {http.StatusRequestEntityTooLarge, "invalid_request_error"},
	router.EUnauthorized:  {http.StatusUnauthorized, "authentication_error"},
	router.EForbidden:     {http.StatusForbidden, "permission_error"},
	router.EConflict:      {http.StatusConflict, "invalid_request_error"},
	router.EUnavailable:   {http.StatusServiceUnavailable, "service_unavailable_error"},
	router.EInternal:      {http.StatusInternalServerError, "server_error"},
}

func lookup(code string) httpError {
	if he, ok := errorMap[code]; ok {
		return he
	}
	return errorMap[router.EInternal]
}

// errorBody builds the OpenAI error envelope for err. Internal errors keep
// their text out of the body.
func errorBody(err error) (int, openai.ErrorBody) {
	code := router.ErrorCode(err)
	he := lookup(code)
	body := openai.ErrorBody{Error: openai.ErrorDetail{
		Message: router.ErrorMessage(err),
		Type:    he.typ,
		Code:    &code,
	}}
	var re *router.Error
	if errors.As(err, &re) {
		if re.Param != "" {
			body.Error.Param = &re.Param
		}
		if cands, ok := re.Detail.([]router.Candidate); ok {
			body.Error.Candidates = exclusions(cands)
		}
	}
	return he.status, body
}

// exclusion is one candidate's line in a "no eligible model" error.
type exclusion struct {
	Model  string `json:"model"`
	Reason string `json:"reason"`
}

func exclusions(cands []router.Candidate) []exclusion {
	out := make([]exclusion, len(cands))
	for i, c := range cands {
		out[i] = exclusion{Model: c.Model, Reason: c.Reason}
	}
	return out
}

// writeError answers with err in the OpenAI error shape and aborts the
// handler chain. Internal errors are logged with the request id; the client
// only sees "Internal error.". A response already under way (a stream) is
// left alone: its status line is gone.
func (s *Server) writeError(c *gin.Context, err error) {
	ex := exchangeOf(c)
	if ex != nil {
		ex.fail(err)
	}
	if router.ErrorCode(err) == router.EInternal {
		s.log.Error("internal error", "request_id", requestID(c), "path", c.FullPath(), "err", err)
	}
	if c.Writer.Written() {
		c.Abort()
		return
	}
	status, body := errorBody(err)
	c.AbortWithStatusJSON(status, body)
}
