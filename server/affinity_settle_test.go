package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func sendInSession(t *testing.T, e *e2e, ctx context.Context, session, mode, models string) (*http.Response, error) {
	t.Helper()
	body := `{"model":"model-router","messages":[{"role":"user","content":"Plan my week."}],` +
		`"routing_config":{"mode":"` + mode + `","models":[` + models + `]}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-session-id", session)
	return http.DefaultClient.Do(req)
}

func doInSession(t *testing.T, e *e2e, session, mode, models string) (int, string) {
	t.Helper()
	resp, err := sendInSession(t, e, context.Background(), session, mode, models)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("x-modelrouter-model")
}

// A session lets go when its model fails, even when the client then leaves
// (499) while the fallback is thinking: the client leaving does not undo
// the failure it saw first.
func TestSessionModelFailedThenClientLeftStillLetsGo(t *testing.T) {
	e := newE2E(t)
	const models = `"large","mini","nano"`
	st, m := doInSession(t, e, "conv-failed", "quality", models)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "large", m)
	st, m = doInSession(t, e, "conv-failed", "cost", models)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "large", m, "precondition: the session is pinned to large")

	// Turn 3: large cannot serve (503); the fallback mini thinks and the
	// user stops the turn before any token.
	e.openai.Set("large", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable, FailTimes: 1})
	e.openai.Set("mini", upstreamtest.Behavior{Stall: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := sendInSession(t, e, ctx, "conv-failed", "quality", models)
		if err == nil {
			resp.Body.Close()
		}
	}()
	require.True(t, waitUntil(func() bool { return len(e.openai.RequestsFor("mini")) == 1 }), "turn 3 reached mini")
	cancel()
	<-done
	e.log.waitFor(t, 3)
	e.openai.Set("mini", upstreamtest.Behavior{})

	// Turn 4 (cost mode): the session's model failed it, so it is routed
	// afresh (nano).
	st, m = doInSession(t, e, "conv-failed", "cost", models)
	require.Equal(t, http.StatusOK, st)
	assert.Equal(t, "nano", m, "the session stayed pinned to large, which failed its last turn")
}

// A session whose model fails and whose fallback refuses (4xx passed
// through) is routed afresh: pinned neither to the model that failed nor
// to the one that refused.
func TestFailedThenRefusedSessionIsRoutedFresh(t *testing.T) {
	e := newE2E(t)
	st, m := doInSession(t, e, "conv-refused", "quality", `"large","claude","nano"`)
	require.Equal(t, http.StatusOK, st)
	require.Equal(t, "large", m)

	e.openai.Set("large", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable, FailTimes: 1})
	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusBadRequest})
	st, m = doInSession(t, e, "conv-refused", "quality", `"large","claude"`)
	require.Equal(t, http.StatusBadRequest, st)
	require.Equal(t, "claude", m)
	e.anthropic.Set("claude", upstreamtest.Behavior{})

	st, m = doInSession(t, e, "conv-refused", "cost", `"large","claude","nano"`)
	require.Equal(t, http.StatusOK, st)
	assert.Equal(t, "nano", m, "the session stayed pinned to large, which failed its last turn")
}

// A new session in cost mode over these models answers with nano: what the
// tests above expect of a session routed afresh.
func TestNewSessionInCostModeAnswersNano(t *testing.T) {
	e := newE2E(t)
	st, m := doInSession(t, e, "conv-new", "cost", `"large","claude","nano"`)
	require.Equal(t, http.StatusOK, st)
	assert.Equal(t, "nano", m)
}
