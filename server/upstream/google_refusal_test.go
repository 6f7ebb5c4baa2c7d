package upstream_test

// Google's OpenAI-compatible endpoint (generativelanguage.googleapis.com/
// v1beta/openai) says whose fault an error is in its gRPC status name, not
// in OpenAI's code or type, and sends the error either as an object or as a
// list of one. A suspended, restricted or invalid key of the gateway's is
// the gateway's to fix: passed through, the client's SDK reports the
// client's own key as wrong while another model could answer.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const (
	googleSuspendedKey  = `{"error":{"code":403,"message":"Permission denied: Consumer 'api_key:AIzaSyA' has been suspended.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CONSUMER_SUSPENDED","domain":"googleapis.com"}]}}`
	googleDeniedProject = `[{"error":{"code":403,"message":"Your project has been denied access. Please contact support.","status":"PERMISSION_DENIED"}}]`
	googleCredentials   = `[{"error":{"code":401,"message":"API keys are not supported by this API.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"CREDENTIALS_MISSING","domain":"googleapis.com"}]}}]`
	googleInvalidKey    = `[{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}]`
)

func TestGooglesRefusalsOfTheGatewaysKeyOrModelFailOver(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		says   string // the provider's message, recorded on the attempt
	}{
		{"suspended key, object form", http.StatusForbidden, googleSuspendedKey, "HTTP 403: Permission denied: Consumer"},
		{"suspended key, list form", http.StatusForbidden, `[` + googleSuspendedKey + `]`, "HTTP 403: Permission denied: Consumer"},
		{"project denied access, list form", http.StatusForbidden, googleDeniedProject, "HTTP 403: Your project has been denied access."},
		{"unauthenticated 403", http.StatusForbidden, `{"error":{"code":403,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`, "HTTP 403: Request had invalid"},
		{"key of the wrong kind", http.StatusUnauthorized, googleCredentials, "HTTP 401: API keys are not supported"},
		{"invalid key, list form", http.StatusBadRequest, googleInvalidKey, "HTTP 400: API key not valid."},
		{"invalid key, object form", http.StatusBadRequest, googleInvalidKey[1 : len(googleInvalidKey)-1], "HTTP 400: API key not valid."},
		{"unknown model", http.StatusNotFound, `{"error":{"code":404,"message":"models/first is not found for API version v1main, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.","status":"NOT_FOUND"}}`, "HTTP 404: models/first is not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("first", upstreamtest.Behavior{FailStatus: tc.status, FailBody: tc.body})
			rec := httptest.NewRecorder()
			out := f.fwd.Forward(context.Background(), rec, upstream.Call{
				API: upstream.APIChatCompletions, Order: []router.Model{openAIModel("first"), openAIModel("second")},
				Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
			})
			assert.Equal(t, http.StatusOK, out.Status, "the client got %s", rec.Body.String())
			assert.Equal(t, "second-id", out.Answered.ID, "the next model answers")
			if assert.NotEmpty(t, out.Attempts) {
				assert.Contains(t, out.Attempts[0].Error, tc.says)
			}
		})
	}
}

func TestGooglesRefusalsOfTheClientsRequestReachTheClient(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		says   string
	}{
		{"a file the client named", http.StatusForbidden,
			`{"error":{"code":403,"message":"You do not have permission to access the File abc123 or it may not exist.","status":"PERMISSION_DENIED"}}`,
			"access the File abc123"},
		{"cached content the client named, list form", http.StatusForbidden,
			`[{"error":{"code":403,"message":"CachedContent not found (or permission denied)","status":"PERMISSION_DENIED"}}]`,
			"CachedContent not found"},
		{"a flagged prompt", http.StatusForbidden,
			`{"error":{"code":403,"message":"Your input was flagged by the safety system.","status":"PERMISSION_DENIED"}}`,
			"Your input was flagged"},
		{"a bad argument, list form", http.StatusBadRequest,
			`[{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}]`,
			"Request contains an invalid argument."},
		{"another model whose name starts with this one's", http.StatusNotFound,
			`{"error":{"code":404,"message":"models/first-tuned is not found for API version v1main.","status":"NOT_FOUND"}}`,
			"models/first-tuned is not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("first", upstreamtest.Behavior{FailStatus: tc.status, FailBody: tc.body})
			rec := httptest.NewRecorder()
			out := f.fwd.Forward(context.Background(), rec, upstream.Call{
				API: upstream.APIChatCompletions, Order: []router.Model{openAIModel("first"), openAIModel("second")},
				Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
			})
			assert.Equal(t, tc.status, out.Status, "the provider's error reaches the client: %v", out.Err)
			assert.Contains(t, rec.Body.String(), tc.says)
			assert.Empty(t, f.openai.RequestsFor("second"), "no other model is asked")
		})
	}
}

func TestASuspendedGoogleKeyMakesItsModelUnhealthy(t *testing.T) {
	rig := newHealthRig(t)
	suspended, other := openAIModel("suspended"), openAIModel("other")
	rig.f.openai.Set("suspended", upstreamtest.Behavior{FailStatus: http.StatusForbidden, FailBody: googleSuspendedKey})
	for range upstream.DefaultHealthThreshold {
		out := rig.call(t, context.Background(), suspended, other)
		assert.Equal(t, "other-id", out.Answered.ID, "failed over")
	}
	assert.Contains(t, rig.health.Unhealthy(suspended), "HTTP 403")
}
