// Package apierr is the one place where router error codes become HTTP
// statuses and the OpenAI error shape. Every handler, Gin or plain
// net/http, answers errors through it.
package apierr

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

type httpError struct {
	status int
	typ    string // OpenAI error type
}

var codes = map[string]httpError{
	router.EInvalid:       {http.StatusBadRequest, "invalid_request_error"},
	router.ENotFound:      {http.StatusNotFound, "not_found_error"},
	router.EMethod:        {http.StatusMethodNotAllowed, "invalid_request_error"},
	router.ENoEligible:    {http.StatusBadRequest, "invalid_request_error"},
	router.ENotConfigured: {http.StatusServiceUnavailable, "service_unavailable_error"},
	router.EUpstream:      {http.StatusBadGateway, "upstream_error"},
	router.ERateLimited:   {http.StatusTooManyRequests, "rate_limit_error"},
	router.ETooLarge:      {http.StatusRequestEntityTooLarge, "invalid_request_error"},
	router.ETimeout:       {http.StatusRequestTimeout, "invalid_request_error"},
	router.EUnauthorized:  {http.StatusUnauthorized, "authentication_error"},
	router.EForbidden:     {http.StatusForbidden, "permission_error"},
	router.EConflict:      {http.StatusConflict, "invalid_request_error"},
	router.EPrecondition:  {http.StatusPreconditionFailed, "invalid_request_error"},
	router.EUnavailable:   {http.StatusServiceUnavailable, "service_unavailable_error"},
	router.EInternal:      {http.StatusInternalServerError, "server_error"},

	router.EInsufficientQuota:      {http.StatusTooManyRequests, "rate_limit_error"},
	router.ERouterModelUnavailable: {http.StatusServiceUnavailable, "service_unavailable_error"},
	router.EDeploymentPaused:       {http.StatusLocked, "invalid_request_error"},
}

// finalCodes are the codes that retrying cannot fix, whatever the error
// (see [SetHeaders]): a provider not configured, or a router model that
// predicts nothing usable for the request, waits for the operator.
var finalCodes = map[string]bool{router.ENotConfigured: true, router.ERouterModelUnavailable: true}

// Exclusion is one candidate's line in a "no eligible model" error.
type Exclusion struct {
	Model  string `json:"model"`
	Reason string `json:"reason"`
}

// Response returns the status and OpenAI error envelope for err. Internal
// errors keep their text out of the body; callers log them.
func Response(err error) (int, openai.ErrorBody) {
	code := router.ErrorCode(err)
	he, ok := codes[code]
	msg := router.ErrorMessage(err)
	if !ok || code == router.EInternal {
		code, he, msg = router.EInternal, codes[router.EInternal], "Internal error."
	}
	body := openai.ErrorBody{Error: openai.ErrorDetail{Message: msg, Type: he.typ, Code: &code}}
	var re *router.Error
	if errors.As(err, &re) {
		if re.Reason != "" {
			reason := re.Reason
			body.Error.Code = &reason
		}
		if re.Param != "" {
			body.Error.Param = &re.Param
		}
		if cands, ok := re.Detail.([]router.Candidate); ok {
			ex := make([]Exclusion, len(cands))
			for i, c := range cands {
				ex[i] = Exclusion{Model: c.Model, Reason: c.Reason}
			}
			body.Error.Candidates = ex
		}
	}
	return he.status, body
}

// anthropicTypes are Anthropic's error types by HTTP status, those its
// errors page and its SDKs' error types list (402's billing_error: a
// provider's own 402 where one is passed on, on a read by id; a new
// answer's 402 is the gateway's account's and fails over). A 4xx
// Anthropic's errors page does not list (the gateway's 405, 408, 409 and
// 423, a provider's 422) is an invalid_request_error, as that page says it
// uses the type for such statuses; any other status is an api_error.
var anthropicTypes = map[int]string{
	http.StatusBadRequest:            "invalid_request_error",
	http.StatusUnauthorized:          "authentication_error",
	http.StatusPaymentRequired:       "billing_error",
	http.StatusForbidden:             "permission_error",
	http.StatusNotFound:              "not_found_error",
	http.StatusRequestEntityTooLarge: "request_too_large",
	http.StatusTooManyRequests:       "rate_limit_error",
	http.StatusServiceUnavailable:    "overloaded_error",
}

// AnthropicType is Anthropic's error type for an HTTP status.
func AnthropicType(status int) string {
	if t, ok := anthropicTypes[status]; ok {
		return t
	}
	if status >= 400 && status < 500 {
		return "invalid_request_error"
	}
	return "api_error"
}

// AnthropicResponse is [Response] in Anthropic's error shape, for the
// Messages API: the same status, message, code and candidates.
func AnthropicResponse(err error) (int, openai.AnthropicErrorBody) {
	status, o := Response(err)
	body := openai.AnthropicErrorBody{Type: "error", Error: openai.AnthropicErrorDetail{
		Type: AnthropicType(status), Message: o.Error.Message, Candidates: o.Error.Candidates,
	}}
	if o.Error.Code != nil {
		body.Error.Code = *o.Error.Code
		if anthropicCodes[body.Error.Code] {
			body.Error.Details = &openai.AnthropicErrorDetails{ErrorCode: body.Error.Code}
		}
	}
	return status, body
}

// ThreadNotFound is the code of a message thread continuation that no
// model the call may reach holds the thread of (see server's threads.go).
const ThreadNotFound = "thread_not_found"

// PreviousResponseNotFound is the code of a Responses continuation whose
// previous_response_id the gateway cannot give the caller: OpenAI's code
// for an id it does not have, which clients read to send the whole
// conversation instead.
const PreviousResponseNotFound = router.PreviousResponseNotFound

// DeploymentNotFound is Azure OpenAI's code for a deployment its resource
// does not have (404), which Azure clients test for: the gateway answers it
// to a call naming an unknown deployment by Azure's deployment path and to
// the management API's unknown deployment, and reads it in an Azure
// provider's refusal as the model being unknown, the gateway's fault.
const DeploymentNotFound = "DeploymentNotFound"

// anthropicCodes are the codes that are Anthropic's own error_code too,
// which its SDKs read from error.details and act on: on thread_not_found
// their thread helpers send the whole conversation again under a new
// thread.
var anthropicCodes = map[string]bool{ThreadNotFound: true}

// SetHeaders sets the headers that go with err's answer, before it is
// written: Retry-After for an error that names its wait. An error that retrying cannot fix (a provider not configured,
// every provider refusing the gateway's key) carries x-should-retry: false:
// the OpenAI and Anthropic SDKs otherwise retry every 5xx (twice, with
// backoff, by default), so the client would wait for three answers, each
// logged, before it saw the one that names the setting to fix.
func SetHeaders(h http.Header, err error) {
	var re *router.Error
	isRouterErr := errors.As(err, &re)
	if finalCodes[router.ErrorCode(err)] || isRouterErr && re.Final {
		h.Set("X-Should-Retry", "false")
	}
	if isRouterErr && re.RetryAfter > 0 {
		SetRetryAfter(h, re.RetryAfter)
	}
}

// SetRetryAfter tells the client when to try again, in both headers the
// OpenAI SDKs read: retry-after-ms first, else Retry-After in whole
// seconds (rounded up, so a retry never comes too early).
func SetRetryAfter(h http.Header, wait time.Duration) {
	h.Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
	h.Set("Retry-After-Ms", strconv.FormatInt(int64((wait+time.Millisecond-1)/time.Millisecond), 10))
}

// IsInternal reports whether err shows as a 500 whose text is hidden.
func IsInternal(err error) bool {
	_, ok := codes[router.ErrorCode(err)]
	return !ok || router.ErrorCode(err) == router.EInternal
}

// Write answers err on a plain ResponseWriter.
func Write(w http.ResponseWriter, err error) {
	status, body := Response(err)
	write(w, err, status, body)
}

// WriteAnthropic is [Write] in Anthropic's error shape
// ([AnthropicResponse]), for the Messages API.
func WriteAnthropic(w http.ResponseWriter, err error) {
	status, body := AnthropicResponse(err)
	write(w, err, status, body)
}

// write answers err, as status and body, with its headers.
func write(w http.ResponseWriter, err error, status int, body any) {
	SetHeaders(w.Header(), err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="modelrouter"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
