package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
)

// heldPaused is a gateway whose store holds the router deployment "Held",
// paused; opts set the rest of its config.
func heldPaused(t *testing.T, opts ...func(*Config)) *e2e {
	t.Helper()
	return storedE2E(t, map[string]string{"Held": pausedRouter}, opts...)
}

// A paused deployment exists: a call to it, in whatever case, is refused
// 423 and logged and counted under the name it was created with, as any
// refused call to a found deployment is, not under /metrics' "unknown",
// which is for names that were not found.
func TestAPausedDeploymentsRefusalsAreCountedUnderItsName(t *testing.T) {
	met := metrics.New()
	e := heldPaused(t, func(c *Config) { c.Observer = met })

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions",
		`{"model":"held","messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusLocked, status, string(body))

	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, router.EDeploymentPaused, rec.ErrorCode)
	assert.True(t, rec.DeploymentFound, "a paused deployment exists")
	assert.Equal(t, "Held", rec.Decision.Deployment, "logged under the name it was created with")

	mw := httptest.NewRecorder()
	met.Handler().ServeHTTP(mw, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var line string
	for _, l := range strings.Split(mw.Body.String(), "\n") {
		if strings.HasPrefix(l, "modelrouter_requests_total{") {
			line = l
		}
	}
	assert.Contains(t, line, `deployment="Held"`, "metrics series: %s", line)
}

// Retrieving a paused deployment as a model says why it is not listed, as
// a call to it does (423 deployment_paused), rather than that it does not
// exist: an admin checking it with a client's models.retrieve learns it is
// paused, not gone.
func TestRetrievingAPausedDeploymentSaysItIsPaused(t *testing.T) {
	e := heldPaused(t)

	for _, anthropic := range []bool{false, true} {
		var header http.Header
		if anthropic {
			header = http.Header{"Anthropic-Version": {"2023-06-01"}}
		}
		status, _, body := requestAs(t, e, http.MethodGet, "/v1/models/held", e2eKey, "", header)
		assert.Equal(t, http.StatusLocked, status, "anthropic=%t: %s", anthropic, body)
		assert.Contains(t, string(body), `deployment \"Held\" is paused`, "anthropic=%t", anthropic)
	}
}

// A token count for a paused deployment is refused as a Messages call to
// it is (README "Pausing a deployment"), in Anthropic's error shape.
func TestATokenCountForAPausedDeploymentIsRefused(t *testing.T) {
	e := heldPaused(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/messages/count_tokens",
		`{"model": "held", "messages": [{"role": "user", "content": "hi"}]}`)
	require.Equal(t, http.StatusLocked, status, string(body))
	var got struct {
		Type  string                         `json:"type"`
		Error struct{ Type, Message string } `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &got), string(body))
	assert.Equal(t, "error", got.Type)
	assert.Equal(t, "invalid_request_error", got.Error.Type)
	assert.Contains(t, got.Error.Message, `deployment "Held" is paused`)
}
