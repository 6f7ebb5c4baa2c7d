package router

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. server/ maps each to one HTTP status and OpenAI error type;
// no other place decides that.
const (
	EInvalid       = "invalid"            // malformed request or value: 400
	ENotFound      = "not_found"          // unknown deployment or resource: 404
	EMethod        = "method_not_allowed" // known route, other method: 405
	ENoEligible    = "no_eligible"        // every candidate was filtered out: 400
	ENotConfigured = "not_configured"     // no provider configured for any candidate: 503
	EUpstream      = "upstream"           // upstream failed after failover: 502
	ERateLimited   = "rate_limited"       // deployment over its capacity: 429
	ETooLarge      = "too_large"          // body over the limit: 413
	ETimeout       = "timeout"            // body not received in time: 408
	EUnauthorized  = "unauthorized"       // missing or bad key: 401
	EForbidden     = "forbidden"          // key lacks the right: 403
	EConflict      = "conflict"           // invalid resource properties: 409/400
	EPrecondition  = "precondition"       // If-Match or If-None-Match not met: 412
	EUnavailable   = "unavailable"        // not now (router model not loaded, shutting down, database cannot write for now): 503
	EInternal      = "internal"           // anything else: 500, message hidden

	// EInsufficientQuota is a client key whose budget is spent: 429 as
	// ERateLimited is, but a code of its own, so the decision log and the
	// metrics tell a key out of money from a deployment over capacity.
	EInsufficientQuota = "insufficient_quota"

	// ERouterModelUnavailable is a request that models could serve, all
	// left out because the router model gave them no usable prediction
	// (no profile, or a number out of range: unusable): the server's fault,
	// not the request's, so 503 rather than no_eligible's 400.
	ERouterModelUnavailable = "router_model_unavailable"

	// EDeploymentPaused is a call to a deployment its admin paused
	// (Azure's deploymentState "Paused"): 423 Locked, the status Azure's
	// REST specification gives inference requests to a paused deployment.
	// The deployment exists and is kept; it takes calls again once its
	// state is Running.
	EDeploymentPaused = "deployment_paused"
)

// PreviousResponseNotFound, as an Error's Reason, is OpenAI's code for a
// Responses continuation whose previous_response_id it does not have;
// clients read it to send the whole conversation instead. Kept here so
// that every layer that finds a conversation gone (the store, the
// forwarder, the server) answers with the one code.
const PreviousResponseNotFound = "previous_response_not_found"

// Error is the application error: a code and a message safe to show users.
type Error struct {
	Code    string
	Message string
	// Param names the request field at fault, when there is one.
	Param string
	// Reason, when set, is the machine-readable code clients see instead of
	// Code (e.g. the reference's "InvalidResourceProperties").
	Reason string
	// Detail carries structured context (e.g. why each candidate was
	// excluded); server/ may render it.
	Detail any
	// Final says that sending the same request again cannot help, whatever
	// the status (every provider refused the gateway's key, say): the
	// answer tells clients not to retry.
	Final bool
	// RetryAfter, when positive, is how long the client should wait
	// before it tries again (a 429's Retry-After).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for foreign errors.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message; foreign errors hide their
// text, which may carry internals.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
