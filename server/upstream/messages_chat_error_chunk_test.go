package upstream_test

// A Messages client answered by an OpenAI-compatible model gets its
// provider's Chat Completions stream translated. An error chunk is that
// provider's last word on the answer, as it is for a Chat Completions
// client: before the answer begins it leaves the call to the next model,
// whatever form it takes, and the stream ends at it even when the provider
// keeps its connection open.

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

const streamMessagesBody = `{"model":"router","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}`

// OpenRouter reports a failure as an error chunk that also carries
// finish_reason "error"; right after the role chunk nothing of an answer
// has gone out, so the next model answers, as for a Chat Completions client.
func TestAMessagesStreamWhoseChatProviderFailsRightAfterItsRoleChunkIsAnsweredByTheNextModel(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x", sseData(roleChunk), sseData(fmt.Sprintf(errorFinishChunk, "gpt-x")))
	o.set("gpt-y", chatChunkText("gpt-y", "Hi"), sseData(fmt.Sprintf(finishChunk, "gpt-y")), sseData("[DONE]"))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIMessages, openAIModel("gpt-x"), openAIModel("gpt-y"))

	_, _, body := g.post(t, "/messages", streamMessagesBody)

	out := g.outcome(t)
	assert.Equal(t, "gpt-y-id", out.Answered.ID, "%s", body)
	require.Len(t, out.Attempts, 2, "%+v", out.Attempts)
	assert.Contains(t, out.Attempts[0].Error, "sent an error: Provider disconnected unexpectedly")
	frames := dataFrames(t, body)
	require.NotEmpty(t, frames)
	assert.Contains(t, frames[0], `"model":"gpt-y-id"`, "the client's one message_start is the answering model's")
	assert.Equal(t, 1, strings.Count(string(body), "event: message_start"), "%s", body)
	assert.NotContains(t, string(body), "event: error")
}

// writesThenHolds sends parts, one flush each, and then keeps the
// connection open until the gateway gives up on it.
func writesThenHolds(parts ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for _, p := range parts {
			_, _ = io.WriteString(w, p)
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}
}

// No timeout of the gateway's ends these calls (the attempt timeout and
// the deadline are an hour): the error chunk does. A call that waited for
// the provider to close would hit the test's guard instead.
func TestAMessagesStreamEndsAtItsChatProvidersErrorChunkThoughTheConnectionStaysOpen(t *testing.T) {
	errorChunk := sseData(`{"error":{"message":"boom","type":"server_error"}}`)
	t.Run("before the answer: the next model answers", func(t *testing.T) {
		m := newMisbehaving(t, upstream.KindOpenAI, writesThenHolds(sseData(roleChunk), errorChunk, sseData("[DONE]")))
		m.fwd.AttemptTimeout, m.fwd.Deadline = time.Hour, time.Hour

		out, rec := m.call(t, upstream.APIMessages, true)

		assert.Equal(t, m.good.ID, out.Answered.ID, "%+v", out.Attempts)
		require.Len(t, out.Attempts, 2)
		assert.Contains(t, out.Attempts[0].Error, "sent an error: boom")
		assert.Contains(t, rec.Body.String(), m.goodAnswer[:5])
	})
	t.Run("after the answer began: the client hears of the error", func(t *testing.T) {
		m := newMisbehaving(t, upstream.KindOpenAI, writesThenHolds(sseData(roleChunk), chatChunkText("broken", "Hal"), errorChunk, sseData("[DONE]")))
		m.fwd.AttemptTimeout, m.fwd.Deadline = time.Hour, time.Hour

		out, rec := m.call(t, upstream.APIMessages, true)

		assert.Equal(t, http.StatusBadGateway, out.Status)
		body := rec.Body.String()
		assert.Contains(t, body, `"text":"Hal"`)
		assert.Contains(t, body, "event: error")
		assert.Contains(t, body, "boom")
		require.Len(t, out.Attempts, 1)
		assert.Contains(t, out.Attempts[0].Error, "sent an error: boom")
	})
}
