package upstream_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// OpenRouter (and servers like it) report a mid-generation failure as an
// error chunk that also carries finish_reason "error", then close the
// stream (no [DONE]). The provider said the generation failed: a broken
// stream (502), not a whole answer.
const errorFinishChunk = `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"%s","error":{"code":502,"message":"Provider disconnected unexpectedly"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}`

func TestAnErrorChunkWithFinishReasonThenEOFIsABrokenStream(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x",
		chatChunkText("gpt-x", "Hel"),
		sseData(fmt.Sprintf(errorFinishChunk, "gpt-x")))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	require.Contains(t, string(body), "Provider disconnected unexpectedly")
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status, "the provider said the generation failed: %s", body)
	assert.False(t, out.Whole, "a failed generation is not a whole answer (its usage is not what was billed)")
	assert.Error(t, out.Err)
}

// The same failure, followed by the usage chunk the gateway always asks
// for (include_usage): still a broken stream, not a success.
func TestAnErrorChunkWithFinishReasonThenUsageIsABrokenStream(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x",
		chatChunkText("gpt-x", "Hel"),
		sseData(fmt.Sprintf(errorFinishChunk, "gpt-x")),
		sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`),
		sseData("[DONE]"))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	require.Contains(t, string(body), "Provider disconnected unexpectedly")
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status, "the provider said the generation failed: %s", body)
	assert.False(t, out.Whole)
	assert.Error(t, out.Err)
}

// The same chunk as the provider's first event: nothing went out, so the
// next model answers, and the failed attempt says why.
func TestAnErrorChunkWithFinishReasonFirstFailsOver(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x", sseData(fmt.Sprintf(errorFinishChunk, "gpt-x")))
	o.set("gpt-y", chatChunkText("gpt-y", "Hi"), sseData(fmt.Sprintf(finishChunk, "gpt-y")), sseData("[DONE]"))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"), openAIModel("gpt-y"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	out := g.outcome(t)
	assert.Equal(t, "gpt-y-id", out.Answered.ID, "%s", body)
	require.Len(t, out.Attempts, 2)
	assert.Contains(t, out.Attempts[0].Error, "sent an error", "the failed model's attempt says it failed: %+v", out.Attempts[0])
}

// With one model, the client gets a 502 that names the provider's error,
// not an "every upstream model failed: gpt-x-id ()" with an empty reason.
func TestAnErrorChunkWithFinishReasonFirstOnlyModel(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x", sseData(fmt.Sprintf(errorFinishChunk, "gpt-x")))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIChatCompletions, openAIModel("gpt-x"))
	status, _, body := g.post(t, "/chat/completions", streamChatBody)
	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, status)
	require.Len(t, out.Attempts, 1)
	assert.NotEmpty(t, out.Attempts[0].Error, "the attempt that failed has a reason: %+v", out.Attempts[0])
	assert.True(t, strings.Contains(string(body), "Provider disconnected"), "the client hears why: %s", body)
}

// Health hears the provider's in-stream failure as a failure: three calls
// whose streams open with the error chunk (each failed over to the next
// model) make the model unhealthy, whether or not the chunk also carries
// finish_reason "error".
func TestAnErrorChunkWithFinishReasonFirstCountsAsAFailure(t *testing.T) {
	for _, tt := range []struct{ name, chunk string }{
		{"error chunk", `{"error":{"message":"overloaded","type":"server_error"}}`},
		{"error chunk with finish_reason error", fmt.Sprintf(errorFinishChunk, "gpt-x")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newScripted(t)
			o.set("gpt-x", sseData(tt.chunk))
			o.set("gpt-y", chatChunkText("gpt-y", "Hi"), sseData(fmt.Sprintf(finishChunk, "gpt-y")), sseData("[DONE]"))
			fwd := scriptedForwarder(o, nil)
			fwd.Health = &upstream.Health{Threshold: 3}
			g := newGateway(t, fwd, upstream.APIChatCompletions, openAIModel("gpt-x"), openAIModel("gpt-y"))
			for range 3 {
				g.post(t, "/chat/completions", streamChatBody)
				g.outcome(t)
			}
			assert.NotEmpty(t, fwd.Health.Unhealthy(openAIModel("gpt-x")), "three failed streams in a row")
		})
	}
}

// A provider whose error chunk is its first event, and that then keeps
// its connection open (no [DONE], no close), does not hold the call:
// nothing of an answer follows an error, so the next model answers at
// once. The deadline and silence limit here are only hang guards.
func TestAnErrorChunkFirstThenHeldOpenFailsOver(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x", sseData(`{"error":{"message":"overloaded","type":"server_error"}}`))
	o.hold["gpt-x"] = true
	o.set("gpt-y", chatChunkText("gpt-y", "Hi"), sseData(fmt.Sprintf(finishChunk, "gpt-y")), sseData("[DONE]"))
	fwd := scriptedForwarder(o, nil)
	fwd.Deadline, fwd.StreamIdle = 2*time.Second, 2*time.Second
	g := newGateway(t, fwd, upstream.APIChatCompletions, openAIModel("gpt-x"), openAIModel("gpt-y"))
	_, _, body := g.post(t, "/chat/completions", streamChatBody)
	out := g.outcome(t)
	assert.Equal(t, "gpt-y-id", out.Answered.ID, "the next model answers: %s", body)
	assert.Equal(t, 200, out.Status)
}
