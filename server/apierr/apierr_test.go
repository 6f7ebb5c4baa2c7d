package apierr

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestErrorBodyMapsEveryCode(t *testing.T) {
	tests := []struct {
		code   string
		status int
		typ    string
	}{
		{router.EInvalid, http.StatusBadRequest, "invalid_request_error"},
		{router.ENotFound, http.StatusNotFound, "not_found_error"},
		{router.EMethod, http.StatusMethodNotAllowed, "invalid_request_error"},
		{router.ENoEligible, http.StatusBadRequest, "invalid_request_error"},
		{router.ENotConfigured, http.StatusServiceUnavailable, "service_unavailable_error"},
		{router.EUpstream, http.StatusBadGateway, "upstream_error"},
		{router.ERateLimited, http.StatusTooManyRequests, "rate_limit_error"},
		{router.ETooLarge, http.StatusRequestEntityTooLarge, "invalid_request_error"},
		{router.ETimeout, http.StatusRequestTimeout, "invalid_request_error"},
		{router.EUnauthorized, http.StatusUnauthorized, "authentication_error"},
		{router.EForbidden, http.StatusForbidden, "permission_error"},
		{router.EConflict, http.StatusConflict, "invalid_request_error"},
		{router.EPrecondition, http.StatusPreconditionFailed, "invalid_request_error"},
		{router.EUnavailable, http.StatusServiceUnavailable, "service_unavailable_error"},
		{router.EInternal, http.StatusInternalServerError, "server_error"},
		{router.EInsufficientQuota, http.StatusTooManyRequests, "rate_limit_error"},
		{router.ERouterModelUnavailable, http.StatusServiceUnavailable, "service_unavailable_error"},
		{router.EDeploymentPaused, http.StatusLocked, "invalid_request_error"},
	}
	require.Len(t, codes, len(tests), "a new router code needs a row here and in codes")
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			status, body := Response(&router.Error{Code: tt.code, Message: "m", Param: "p"})
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.typ, body.Error.Type)
			require.NotNil(t, body.Error.Code)
			assert.Equal(t, tt.code, *body.Error.Code)
			require.NotNil(t, body.Error.Param)
			assert.Equal(t, "p", *body.Error.Param)
		})
	}
}

func TestForeignErrorsAreHidden(t *testing.T) {
	status, body := Response(fmt.Errorf("query: %w", errors.New("database is locked at /secret/path")))
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "Internal error.", body.Error.Message)
	assert.Nil(t, body.Error.Param)
}

func TestUnknownCodeIsInternal(t *testing.T) {
	status, body := Response(&router.Error{Code: "made_up", Message: "x"})
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "server_error", body.Error.Type)
}

func TestReasonOverridesTheWireCode(t *testing.T) {
	status, body := Response(&router.Error{Code: router.EInvalid, Reason: "InvalidResourceProperties", Message: "deploy claude first"})
	assert.Equal(t, http.StatusBadRequest, status)
	require.NotNil(t, body.Error.Code)
	assert.Equal(t, "InvalidResourceProperties", *body.Error.Code)
	assert.Equal(t, "deploy claude first", body.Error.Message)
}

func TestExcludedCandidatesAreListed(t *testing.T) {
	_, body := Response(&router.Error{Code: router.ENoEligible, Message: "none", Detail: []router.Candidate{{Model: "a", Reason: "excluded: no tool support"}}})
	assert.Equal(t, []Exclusion{{Model: "a", Reason: "excluded: no tool support"}}, body.Error.Candidates)
}

func TestAnthropicResponseKeepsStatusAndMessageInAnthropicsShape(t *testing.T) {
	tests := []struct {
		code   string
		status int
		typ    string
	}{
		{router.EInvalid, http.StatusBadRequest, "invalid_request_error"},
		{router.ENotFound, http.StatusNotFound, "not_found_error"},
		{router.EUnauthorized, http.StatusUnauthorized, "authentication_error"},
		{router.EForbidden, http.StatusForbidden, "permission_error"},
		{router.ETooLarge, http.StatusRequestEntityTooLarge, "request_too_large"},
		{router.ERateLimited, http.StatusTooManyRequests, "rate_limit_error"},
		{router.EInsufficientQuota, http.StatusTooManyRequests, "rate_limit_error"},
		{router.EUnavailable, http.StatusServiceUnavailable, "overloaded_error"},
		{router.EUpstream, http.StatusBadGateway, "api_error"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			status, body := AnthropicResponse(router.Errorf(tt.code, "what went wrong"))
			assert.Equal(t, tt.status, status)
			assert.Equal(t, "error", body.Type)
			assert.Equal(t, tt.typ, body.Error.Type)
			assert.Equal(t, "what went wrong", body.Error.Message)
			assert.Equal(t, tt.code, body.Error.Code)
		})
	}
	status, body := AnthropicResponse(errors.New("disk on fire"))
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "api_error", body.Error.Type)
	assert.Equal(t, "Internal error.", body.Error.Message, "internal text stays out of the body")
}

// Only what retrying cannot fix tells SDKs not to retry: a 503 while
// shutting down, or a 502 of failing providers, may well be answered next
// time, and the SDKs' retries are how clients ride those out.
func TestOnlyErrorsRetryingCannotFixSayNotToRetry(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		final bool
	}{
		{"not configured", router.Errorf(router.ENotConfigured, "set OPENAI_API_KEY"), true},
		{"marked final", &router.Error{Code: router.EUpstream, Message: "every provider refused the gateway", Final: true}, true},
		{"wrapped", fmt.Errorf("forward: %w", router.Errorf(router.ENotConfigured, "x")), true},
		{"router model predicts nothing usable", router.Errorf(router.ERouterModelUnavailable, "no usable prediction"), true},
		{"providers failing", router.Errorf(router.EUpstream, "every upstream model failed"), false},
		{"shutting down", router.Errorf(router.EUnavailable, "shutting down"), false},
		{"rate limited", router.Errorf(router.ERateLimited, "over capacity"), false},
		{"internal", errors.New("disk full"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			Write(w, tt.err)
			want := ""
			if tt.final {
				want = "false"
			}
			assert.Equal(t, want, w.Header().Get("X-Should-Retry"))
		})
	}
}

// Anthropic's SDKs act on error.details.error_code (thread_not_found makes
// their thread helpers resend the whole conversation); the gateway's own
// codes are not Anthropic's and leave details out.
func TestAnthropicResponseGivesAnthropicsOwnErrorCodeInDetails(t *testing.T) {
	status, body := AnthropicResponse(&router.Error{Code: router.ENotFound, Reason: ThreadNotFound, Message: "no thread"})
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "not_found_error", body.Error.Type)
	require.NotNil(t, body.Error.Details)
	assert.Equal(t, "thread_not_found", body.Error.Details.ErrorCode)

	_, body = AnthropicResponse(router.Errorf(router.ENotFound, "no such deployment"))
	assert.Nil(t, body.Error.Details)
}

// An error that names its wait (a client address limited for wrong keys)
// tells the client when to try again, in both headers the SDKs read,
// rounded up so a retry never comes too early.
func TestAnErrorWithItsWaitSetsRetryAfter(t *testing.T) {
	w := httptest.NewRecorder()
	Write(w, &router.Error{Code: router.ERateLimited, Message: "wait", RetryAfter: 41*time.Second + 300*time.Millisecond})
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	assert.Equal(t, "42", w.Header().Get("Retry-After"))
	assert.Equal(t, "41300", w.Header().Get("Retry-After-Ms"))

	w = httptest.NewRecorder()
	Write(w, router.Errorf(router.ERateLimited, "over capacity"))
	assert.Empty(t, w.Header().Get("Retry-After"), "no wait named, none invented")
}

// A 4xx Anthropic's errors page does not list is an invalid_request_error,
// as that page types such statuses; only 5xx (but 503's overloaded_error)
// are api_error. 402 is listed, as billing_error.
func TestAnthropicTypeOfUnlistedStatuses(t *testing.T) {
	for status, typ := range map[int]string{
		http.StatusPaymentRequired:             "billing_error",
		http.StatusUnsupportedMediaType:        "invalid_request_error",
		http.StatusUnprocessableEntity:         "invalid_request_error",
		http.StatusRequestHeaderFieldsTooLarge: "invalid_request_error",
		http.StatusInternalServerError:         "api_error",
		http.StatusBadGateway:                  "api_error",
		http.StatusGatewayTimeout:              "api_error",
		529:                                    "api_error",
	} {
		assert.Equal(t, typ, AnthropicType(status), "%d", status)
	}
}
