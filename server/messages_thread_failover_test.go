package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Only the model holding a thread can continue it, so when that model
// fails the call cannot fail over. The client is told the thread is gone
// (thread_not_found), on which Anthropic's SDK sends the whole
// conversation at once under a new thread: that call is routed afresh and
// fails over like any other. With a 5xx the SDK would instead ask the
// failing model twice more, after backoff, and then give up the turn.
func TestMessagesThreadWhoseModelFailsIsSentAgainWholeAndFailsOver(t *testing.T) {
	e := newE2E(t)
	client := anthropic.NewClient(aoption.WithBaseURL(e.url), aoption.WithAPIKey(e2eKey)) // the SDK's own retries
	thread := client.Beta.Messages.NewThread(anthropic.BetaMessageThreadCreateParams{Model: "model-router", MaxTokens: 200})
	user := func(text string) anthropic.BetaMessageThreadSendParams {
		return anthropic.BetaMessageThreadSendParams{Messages: []anthropic.BetaMessageParam{
			anthropic.NewBetaUserMessage(anthropic.NewBetaTextBlock(text))}}
	}
	first, err := thread.Send(context.Background(), user("My name is Bob."), onlyModels("claude"))
	require.NoError(t, err)
	require.Equal(t, "claude", string(first.Model))

	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: 529})
	second, err := thread.Send(context.Background(), user("What is my name?"),
		aoption.WithJSONSet("routing_config", map[string]any{"models": []string{"claude", "mini"}, "mode": "quality"}))
	require.NoError(t, err, "the turn is answered")
	assert.Equal(t, "mini", string(second.Model))

	claude := e.anthropic.RequestsFor("claude")
	require.Len(t, claude, 3, "the thread's create, its continuation once (no retry of a model that failed), the resent conversation")
	assert.Contains(t, string(claude[1].Body), `"continue"`)
	assert.Contains(t, string(claude[2].Body), `"create"`)
	mini := e.openai.RequestsFor("mini")
	require.Len(t, mini, 1)
	for _, want := range []string{"My name is Bob.", "Hello from claude.", "What is my name?"} {
		assert.Contains(t, string(mini[0].Body), want, "the model that answers reads the whole conversation")
	}

	recs := e.log.waitFor(t, 3)
	lost := recs[1]
	assert.Equal(t, http.StatusNotFound, lost.Status)
	assert.Equal(t, router.ENotFound, lost.ErrorCode)
	assert.Empty(t, lost.Answered)
	require.Len(t, lost.Attempts, 1, "the log keeps the failure of the model holding the thread")
	assert.Equal(t, "claude", lost.Attempts[0].Model)
	assert.Equal(t, 529, lost.Attempts[0].Status)
	resent := recs[2]
	assert.Equal(t, http.StatusOK, resent.Status)
	assert.Equal(t, "mini", resent.Answered)
	require.Len(t, resent.Attempts, 2)
	assert.Equal(t, "claude", resent.Attempts[0].Model, "the resent conversation fails over from claude")
}

// Whatever way the model holding a thread fails before its answer begins,
// the continuation is answered thread_not_found in Anthropic's shape,
// naming the model and its failure; a provider's wait (429) is not passed
// on, since the resent conversation need not wait for it.
func TestMessagesThreadWhoseModelFailsIsNotFound(t *testing.T) {
	for name, tc := range map[string]struct {
		fail   upstreamtest.Behavior
		stream bool
		shows  string
	}{
		"overloaded":         {fail: upstreamtest.Behavior{FailStatus: 529}, shows: "529"},
		"server error":       {fail: upstreamtest.Behavior{FailStatus: http.StatusInternalServerError}, shows: "500"},
		"rate limited":       {fail: upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailHeader: http.Header{"Retry-After": {"30"}}}, shows: "429"},
		"no answer in time":  {fail: upstreamtest.Behavior{Stall: true}, stream: true, shows: "timeout"},
		"stream cut at once": {fail: upstreamtest.Behavior{CutAfter: -1}, stream: true, shows: "stream broke off"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t, func(c *Config) { c.Forwarder.(*upstream.Forwarder).AttemptTimeout = 500 * time.Millisecond })
			status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"My name is Bob."}],"thread":{"type":"create"},"routing_config":{"models":["claude"]}}`)
			require.Equal(t, http.StatusOK, status, first)
			e.anthropic.Set("claude", tc.fail)

			stream := "false"
			if tc.stream {
				stream = "true"
			}
			res := threadRequest(t, e, e2eKey, `{"model":"model-router","max_tokens":100,"stream":`+stream+`,"messages":[{"role":"user","content":"What is my name?"}],"thread":{"type":"continue","previous_message_id":"`+first["id"].(string)+`"}}`)
			assert.Equal(t, http.StatusNotFound, res.StatusCode)
			assert.Empty(t, res.Header.Get("Retry-After"))
			raw, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			var out map[string]any
			require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
			assert.Equal(t, "error", out["type"], "%s", raw)
			errObj, _ := out["error"].(map[string]any)
			assert.Equal(t, "not_found_error", errObj["type"])
			assert.Equal(t, "thread_not_found", threadNotFoundCode(t, out), "%s", raw)
			assert.Contains(t, errObj["message"], "held for claude, which did not answer")
			assert.Contains(t, errObj["message"], tc.shows)
			assert.Len(t, e.anthropic.RequestsFor("claude"), 2, "the continuation was sent once")
			assert.Empty(t, e.openai.Requests(), "no other model got the new messages alone")
		})
	}
}

// While the model holding a thread is known to be failing (unhealthy, or
// its provider asked to wait), a continuation does not wait for it to fail
// once more (up to the attempt timeout, for a model that stalls): it is
// answered thread_not_found at once, and no request reaches the model.
func TestMessagesThreadWhoseModelIsUnhealthyIsNotFoundWithoutAskingIt(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Forwarder.(*upstream.Forwarder).Health = &upstream.Health{Threshold: 1} })
	status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"My name is Bob."}],"thread":{"type":"create"},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)
	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: 529})
	status, _ = postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"Another conversation."}],"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadGateway, status, "claude fails, and is now unhealthy")
	require.Len(t, e.anthropic.RequestsFor("claude"), 2)

	status, out := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"What is my name?"}],"thread":{"type":"continue","previous_message_id":"`+first["id"].(string)+`"}}`)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, "thread_not_found", threadNotFoundCode(t, out), "%v", out)
	assert.Contains(t, out["error"].(map[string]any)["message"], "held for claude, which did not answer (skipped: unhealthy")
	assert.Len(t, e.anthropic.RequestsFor("claude"), 2, "the continuation reached no model")

	rec := e.log.waitFor(t, 3)[2]
	require.Len(t, rec.Attempts, 1)
	assert.True(t, rec.Attempts[0].NotSent)
	assert.Contains(t, rec.Attempts[0].Error, "skipped: unhealthy")
}
