package upstream_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// An OpenAI-compatible server that fails a generation mid-stream sends an
// {"error":...} chunk and then, often, [DONE]. [DONE] ends the stream but
// does not make the answer whole: the call is a broken stream (502), as
// when the same provider answers a Messages call, and Health hears no
// success.
func TestChatStreamErrorChunkThenDoneIsABrokenStream(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x",
		chatChunkText("gpt-x", "Hel"),
		sseData(`{"error":{"message":"generation failed","type":"server_error"}}`),
		sseData("[DONE]"))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	require.Contains(t, string(body), "generation failed", "the client saw the provider's error")
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status, "a generation the provider says failed is a broken stream")
	assert.False(t, out.Whole, "the answer is not whole")
	assert.Error(t, out.Err)
}

// An OpenAI Responses stream that ends in response.failed (after its
// `error` event) once its output began is a broken stream, not a 200
// success. (One that fails before its first output item fails over:
// TestAResponsesStreamThatFailsBeforeItsFirstOutputFailsOver.)
func TestResponsesStreamFailedIsABrokenStream(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x",
		sseNamed("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","model":"gpt-x","status":"in_progress","output":[]}}`),
		sseNamed("response.output_item.added", `{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`),
		sseNamed("error", `{"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":2}`),
		sseNamed("response.failed", `{"type":"response.failed","sequence_number":3,"response":{"id":"resp_1","object":"response","model":"gpt-x","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}}`),
	)
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIResponses, openAIModel("gpt-x"))
	_, _, body := g.post(t, "/responses", `{"model":"router","input":"hi","stream":true}`)
	require.Contains(t, string(body), "response.failed")
	assert.Equal(t, 1, strings.Count(string(body), "event: error"), "the provider's error is the only one: %s", body)
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status, "a failed response is not a 200 success in the log")
	assert.Error(t, out.Err)
	require.NotEmpty(t, out.Attempts)
	assert.Contains(t, out.Attempts[0].Error, "sent an error: boom")
}

// When a pass-through stream ends after the provider's own error event
// went to the client, that event is the client's only error: the gateway
// adds no upstream_stream_interrupted of its own after it.
func TestPassedStreamErrorIsTheOnlyErrorEvent(t *testing.T) {
	t.Run("responses", func(t *testing.T) {
		o := newScripted(t)
		o.set("gpt-x",
			sseNamed("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","model":"gpt-x","status":"in_progress","output":[]}}`),
			sseNamed("response.output_item.added", `{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`),
			sseNamed("error", `{"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":2}`),
		)
		g := newGateway(t, scriptedForwarder(o, nil), upstream.APIResponses, openAIModel("gpt-x"))
		_, _, body := g.post(t, "/responses", `{"model":"router","input":"hi","stream":true}`)
		out := g.outcome(t)
		assert.Equal(t, 502, out.Status)
		assert.Equal(t, 1, strings.Count(string(body), "event: error"), "one error event: %s", body)
	})
	t.Run("chat", func(t *testing.T) {
		o := newScripted(t)
		o.set("gpt-x", chatChunkText("gpt-x", "Hel"), sseData(`{"error":{"message":"generation failed","type":"server_error"}}`))
		g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
		_, _, body := g.post(t, "/chat/completions", streamChatBody)
		out := g.outcome(t)
		assert.Equal(t, 502, out.Status)
		assert.Equal(t, 1, strings.Count(string(body), `{"error":`), "one error chunk: %s", body)
		require.NotEmpty(t, out.Attempts)
		assert.Contains(t, out.Attempts[0].Error, "sent an error: generation failed")
	})
}

// A stream whose first event is the provider's error chunk has sent the
// client nothing of an answer: the next model answers and the client never
// sees the failed model's error, on Chat Completions as on Messages.
func TestStreamErrorChunkFirstFailsOver(t *testing.T) {
	for _, tt := range []struct {
		name, path, body string
		api              upstream.API
		end              []string
	}{
		{"chat", "/chat/completions", streamChatBody, upstream.APIChatCompletions, nil},
		{"chat, then [DONE]", "/chat/completions", streamChatBody, upstream.APIChatCompletions, []string{sseData("[DONE]")}},
		{"messages", "/messages", `{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`, upstream.APIMessages, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newScripted(t)
			o.set("gpt-x", append([]string{sseData(`{"error":{"message":"overloaded","type":"server_error"}}`)}, tt.end...)...)
			o.set("gpt-y", chatChunkText("gpt-y", "Hi"), sseData(fmt.Sprintf(finishChunk, "gpt-y")), sseData("[DONE]"))
			g := newGateway(t, scriptedForwarder(o, nil), tt.api, openAIModel("gpt-x"), openAIModel("gpt-y"))
			_, _, body := g.post(t, tt.path, tt.body)
			out := g.outcome(t)
			assert.Equal(t, "gpt-y-id", out.Answered.ID, "the next model answers: %s", body)
			assert.Equal(t, 200, out.Status)
			require.Len(t, out.Attempts, 2)
			assert.Contains(t, out.Attempts[0].Error, "sent an error: overloaded")
			assert.NotContains(t, string(body), `"message":"overloaded"`, "the client never sees the failed model's error")
		})
	}
}

// Claude's in-stream error event (overloaded_error and the like) is what a
// Chat Completions client's error chunk and the attempt say, as on the
// Responses and Messages APIs, not only that the stream ended early.
func TestChatFromClaudeKeepsTheProvidersErrorMessage(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{ErrorAfter: 4})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	frames := dataFrames(t, body)
	require.NotEmpty(t, frames)
	last := decode(t, frames[len(frames)-1])
	require.Contains(t, last, "error", "%s", body)
	assert.Contains(t, last["error"].(map[string]any)["message"], "Overloaded", "the client hears what the provider said")
	out := g.outcome(t)
	require.NotEmpty(t, out.Attempts)
	assert.Contains(t, out.Attempts[0].Error, "sent an error: Overloaded")
}

// A relay's provider is the only one with the answer: an error event that
// comes first in its replay goes to the client, and the replay ends where
// the provider ends it, at response.failed too.
func TestRelayPassesOnTheProvidersErrorEvent(t *testing.T) {
	w, out := relayTo(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, sseNamed("error", `{"type":"error","code":"server_error","message":"boom","param":null,"sequence_number":7}`))
		fmt.Fprint(w, sseNamed("response.failed", `{"type":"response.failed","sequence_number":8,"response":{"id":"resp_1","object":"response","model":"m","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}}`))
	}, nil, http.MethodGet, "/resp_1", true)
	require.NoError(t, out.Err)
	assert.Contains(t, w.Body.String(), `"message":"boom"`)
	assert.Contains(t, w.Body.String(), "response.failed")
	assert.Equal(t, 1, strings.Count(w.Body.String(), "event: error"), "%s", w.Body.String())
}
