package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// POST /v1/route is the decision only, nothing forwarded: it does not pin
// the session, so a simulation with another mode (or a narrowed models
// list) leaves the real conversation where the policy puts it.
func TestRouteDryRunDoesNotPinTheSession(t *testing.T) {
	srv, log, _ := newTestServer(t, nil)
	h := srv.Handler()
	const session = "dry-run-session"

	// What a fresh session's real call gets.
	w := do(h, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	plain := log.waitFor(t, 1)[0].Decision.ChosenID

	// A simulation that asks for another model.
	w = do(h, http.MethodPost, "/v1/route",
		`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"mode":"quality"}}`,
		"x-session-id", session)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	simulated := log.waitFor(t, 2)[1].Decision.ChosenID
	require.NotEqual(t, plain, simulated, "the test needs a simulation that picks another model")

	// The session's first real call.
	w = do(h, http.MethodPost, "/v1/chat/completions",
		`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`,
		"x-session-id", session)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	rec := log.waitFor(t, 3)[2]
	assert.Equal(t, plain, rec.Decision.ChosenID, "the dry run pinned the real session to %s", simulated)
	assert.False(t, rec.Decision.Affinity, "affinity from a call that forwarded nothing")

	// A later dry run shows the pin the real call made, and keeps it.
	w = do(h, http.MethodPost, "/v1/route",
		`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"routing_config":{"mode":"quality"}}`,
		"x-session-id", session)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	rec = log.waitFor(t, 4)[3]
	assert.Equal(t, plain, rec.Decision.ChosenID)
	assert.True(t, rec.Decision.Affinity)
}
