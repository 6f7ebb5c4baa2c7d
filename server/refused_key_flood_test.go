package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/metrics"
	"github.com/modelrouter/modelrouter/server/refusedlog"
)

// routeLimitedKeys is keyStore with one more key, valid but refused on
// every route (403), as a key store that limits keys to routes answers.
type routeLimitedKeys struct{ keyStore }

const keyForOtherRoutes = "sk-other-routes"

func (k routeLimitedKeys) VerifyKey(ctx context.Context, key string) (string, error) {
	if key == keyForOtherRoutes {
		return "", router.Errorf(router.EForbidden, "not this route")
	}
	return k.keyStore.VerifyKey(ctx, key)
}

// With keys required, anyone who reaches the port can send calls without
// a key or with a wrong one. Those are refused before anything is decided:
// they write no decision log row (else a flood would fill the disk and hold
// the log's one writer from real calls), but /metrics counts them and the
// server log says so once a minute per address; a call with a good key is
// still logged.
func TestAFloodOfRefusedKeysWritesNoDecisionRowsButIsCountedAndLoggedOnce(t *testing.T) {
	met := metrics.New()
	var logs lockedBuffer
	e := newE2E(t, func(c *Config) {
		c.Keys = routeLimitedKeys{keyStore{e2eKey: true}}
		c.Observer = met
		c.MaxBodyBytes = 1 << 10
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
		c.RefusedLog = refusedlog.New(refusedlog.Config{Count: met.Refused, Logger: c.Logger})
		c.Mount = func(g *gin.Engine) { g.GET("/metrics", gin.WrapH(met.Handler())) }
	})
	h := e.srv.Handler()
	send := func(method, path, body string, header ...string) int {
		return do(h, method, path, body, header...).Code
	}
	const flood = 40
	for i := range flood {
		switch i % 5 {
		case 0:
			require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/v1/chat/completions", chatBody))
		case 1:
			require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/v1/responses", `{"model":"model-router","input":"hi"}`,
				"Authorization", "Bearer sk-revoked"))
		case 2:
			require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/v1/messages", chatBody, "x-api-key", "sk-wrong"))
		case 3:
			require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/openai/deployments/model-router/chat/completions?api-version=1",
				strings.Repeat(" ", 4<<10)+chatBody, "api-key", "sk-wrong"), "a body over --max-body is refused for its key first")
		case 4:
			require.Equal(t, http.StatusUnauthorized, send(http.MethodPost, "/v1/route", chatBody))
		}
	}
	require.Equal(t, http.StatusForbidden, send(http.MethodPost, "/v1/chat/completions", chatBody, "Authorization", "Bearer "+keyForOtherRoutes))
	require.Equal(t, http.StatusUnauthorized, send(http.MethodGet, "/v1/models", ""))
	require.Equal(t, http.StatusOK, send(http.MethodPost, "/v1/chat/completions", chatBody, "Authorization", "Bearer "+e2eKey))

	recs := e.log.all() // a call's record is sent before its response returns
	require.Equal(t, 1, len(recs), "only the call with a good key has a decision row")
	assert.Equal(t, http.StatusOK, recs[0].Status)
	assert.Equal(t, "id-"+e2eKey, recs[0].KeyID)

	text := do(h, http.MethodGet, "/metrics", "").Body.String()
	assert.Contains(t, text, `modelrouter_refused_requests_total{reason="unauthorized"} `+"41\n", "the flood and the keyless model list")
	assert.Contains(t, text, `modelrouter_refused_requests_total{reason="forbidden"} 1`+"\n")
	assert.Contains(t, text, `modelrouter_requests_total{deployment="model-router",`, "the good call is counted as ever")
	assert.NotContains(t, text, `deployment="unknown"`, "refused calls are in no request metric")
	assert.NotContains(t, text, "sk-", "no key in any label")

	assert.Equal(t, 1, strings.Count(logs.String(), refusedlog.Message), "one line a minute for the address, not one per refused call:\n%s", logs.String())
	assert.Contains(t, logs.String(), "client=192.0.2.1 refused=1 reason=unauthorized route=/v1/chat/completions")
	assert.NotContains(t, logs.String(), "sk-wrong", "keys never reach the log")
}

// failingKeys is a key store whose database fails.
type failingKeys struct{}

func (failingKeys) VerifyKey(context.Context, string) (string, error) {
	return "", errors.New("verify: disk I/O error")
}

// A key the gateway could not check is no refusal of the client's: the
// call gets 500, and the server log, not the decision log, has the error
// with the call's request id (a failing key store would most likely fail
// the row too).
func TestAKeyThatCouldNotBeCheckedIsInTheServerLogNotTheDecisionLog(t *testing.T) {
	var logs lockedBuffer
	srv, log, _ := newTestServer(t, func(c *Config) {
		c.RequireKeys, c.Keys = true, failingKeys{}
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	w := do(srv.Handler(), http.MethodPost, "/v1/chat/completions", chatBody, "Authorization", "Bearer sk-any")
	require.Equal(t, http.StatusInternalServerError, w.Code, w.Body.String())
	assert.Empty(t, log.all(), "no decision row")
	assert.Contains(t, logs.String(), "request_id="+w.Header().Get(HeaderRequestID))
	assert.Contains(t, logs.String(), "disk I/O error")
	assert.NotContains(t, logs.String(), refusedlog.Message, "not counted as a refusal")
}
