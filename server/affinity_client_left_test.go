package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A client that gives up on a turn before its first token (a chat UI's stop
// button while a reasoning model thinks) says nothing about the session's
// model: the README lets a session go only when its model can no longer
// serve the request, and health does not count a client that left. Were the
// session to forget its model, the conversation's next turn would be routed
// afresh and move to another model mid-conversation.
func TestClientThatLeavesKeepsItsSession(t *testing.T) {
	e := newE2E(t)
	send := func(ctx context.Context, mode string) (*http.Response, error) {
		body := `{"model":"model-router","messages":[{"role":"user","content":"Plan my week."}],` +
			`"routing_config":{"mode":"` + mode + `","models":["large","mini","nano"]}}`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("x-session-id", "conversation-7")
		return http.DefaultClient.Do(req)
	}
	model := func(resp *http.Response, err error) string {
		require.NoError(t, err)
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		return resp.Header.Get("x-modelrouter-model")
	}

	// Turn 1 starts the session on large (the quality mode's choice).
	require.Equal(t, "large", model(send(context.Background(), "quality")))
	// The session keeps large even where the mode would pick nano.
	require.Equal(t, "large", model(send(context.Background(), "cost")))

	// Turn 3: large thinks; the user stops it before the first token.
	e.openai.Set("large", upstreamtest.Behavior{Stall: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := send(ctx, "quality")
		if err == nil {
			resp.Body.Close()
		}
	}()
	require.True(t, waitUntil(func() bool { return len(e.openai.RequestsFor("large")) == 3 }), "turn 3 reached large")
	cancel()
	<-done
	e.log.waitFor(t, 3) // the cut turn is settled
	e.openai.Set("large", upstreamtest.Behavior{})

	// Turn 4: the conversation is still large's.
	assert.Equal(t, "large", model(send(context.Background(), "cost")),
		"the session let go of its model because the client left a turn")
}

// waitUntil polls cond (a hang guard, not a timing assertion).
func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return cond()
}
