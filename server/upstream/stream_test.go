package upstream_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const streamBody = `{"model":"router","stream":true,"messages":[{"role":"user","content":"say hello to me"}]}`

func TestStreamPassthrough(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantFrames int
	}{
		// role chunk, 3 word chunks, finish chunk, [DONE]
		{"without include_usage the client sees no usage", streamBody, 6},
		{"with include_usage the usage chunk comes through", strings.Replace(streamBody, `"stream":true`, `"stream":true,"stream_options":{"include_usage":true}`, 1), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"))
			status, h, body := g.post(t, "/chat/completions", tt.body)
			require.Equal(t, 200, status)
			assert.Equal(t, "text/event-stream", h.Get("Content-Type"))
			assert.Equal(t, "model-a-id", h.Get("x-modelrouter-model"))

			frames := dataFrames(t, body)
			require.Len(t, frames, tt.wantFrames, string(body))
			assert.Equal(t, "[DONE]", frames[len(frames)-1])
			var text strings.Builder
			sawUsage := false
			for i, fr := range frames[:len(frames)-1] {
				chunk := decode(t, fr)
				assert.Equal(t, "model-a-id", chunk["model"], "chunk %d", i)
				_, hasDetails := chunk["model_selection_details"]
				assert.Equal(t, i == 0, hasDetails, "details in the first chunk only (chunk %d)", i)
				if u, ok := chunk["usage"].(map[string]any); ok {
					sawUsage = true
					assert.EqualValues(t, 4, u["prompt_tokens"])
				}
				for _, c := range chunk["choices"].([]any) {
					if s, ok := c.(map[string]any)["delta"].(map[string]any)["content"].(string); ok {
						text.WriteString(s)
					}
				}
			}
			assert.Equal(t, "Hello from model-a.", text.String())
			assert.Equal(t, tt.wantFrames == 7, sawUsage)
			assert.Equal(t, !sawUsage, !strings.Contains(string(body), `"usage"`), "no usage member at all unless asked for")

			out := g.outcome(t)
			assert.Equal(t, router.Usage{PromptTokens: 4, CompletionTokens: 3}, out.Usage, "usage read on the side either way")
			assert.Equal(t, 200, out.Status)
			sent := decode(t, string(f.openai.RequestsFor("model-a")[0].Body))
			assert.Equal(t, map[string]any{"include_usage": true}, sent["stream_options"])
		})
	}
}

func TestStreamWithSDK(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 503})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
	c := openai.NewClient(option.WithBaseURL(g.URL), option.WithAPIKey("k"), option.WithMaxRetries(0))
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "router", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello from model-b.", acc.Choices[0].Message.Content)
	assert.Equal(t, "model-b-id", acc.Model)
	assert.EqualValues(t, 1, acc.Usage.PromptTokens)
	assert.Equal(t, "model-b-id", g.outcome(t).Answered.ID)
}

func TestStreamCutMidway(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{CutAfter: 2})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
	status, _, body := g.post(t, "/chat/completions", streamBody)
	assert.Equal(t, 200, status, "the status went out with the first event")
	frames := dataFrames(t, body)
	require.Len(t, frames, 3, string(body))
	assert.Equal(t, "model-a-id", decode(t, frames[1])["model"])
	last := decode(t, frames[2])
	errObj, ok := last["error"].(map[string]any)
	require.True(t, ok, frames[2])
	assert.Equal(t, "upstream_stream_interrupted", errObj["code"])
	assert.Contains(t, errObj["message"], "model-a-id")
	assert.NotContains(t, string(body), "[DONE]")

	out := g.outcome(t)
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
	assert.True(t, out.Wrote)
	assert.Empty(t, f.openai.RequestsFor("model-b"), "no failover once bytes went out")
}

func TestStreamCutBeforeFirstEventFailsOver(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{CutAfter: -1})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
	status, _, body := g.post(t, "/chat/completions", streamBody)
	require.Equal(t, 200, status)
	frames := dataFrames(t, body)
	assert.Equal(t, "model-b-id", decode(t, frames[0])["model"])
	assert.Equal(t, "[DONE]", frames[len(frames)-1])
	out := g.outcome(t)
	require.Len(t, out.Attempts, 2)
	assert.Contains(t, out.Attempts[0].Error, "stream broke off")
}

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	f := newFakes(t)
	// (Two events: the role chunk alone is held, the first word goes out.)
	f.openai.Set("model-a", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", g.URL+"/chat/completions", strings.NewReader(streamBody))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(line, "data: "), "the first event arrived before the stall")

	cancel() // the client goes away while the upstream stalls
	out := g.outcome(t)
	assert.True(t, f.openai.WaitCancelled("model-a", 1, 3*time.Second), "upstream request cancelled")
	assert.Equal(t, 499, out.Status)
	assert.Empty(t, f.openai.RequestsFor("model-b"))
}

func TestClientDisconnectBeforeHeadersCancelsUpstream(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{Stall: true})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", g.URL+"/chat/completions", strings.NewReader(chatBody))
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	assert.True(t, f.openai.WaitCancelled("model-a", 1, 3*time.Second))
	out := g.outcome(t)
	assert.Equal(t, 499, out.Status)
	assert.False(t, out.Wrote)
	assert.Empty(t, f.openai.RequestsFor("model-b"), "no failover for a client that left")
}

func TestResponsesStream(t *testing.T) {
	f := newFakes(t)
	g := newGateway(t, f.fwd, upstream.APIResponses, openAIModel("model-a"))
	status, _, body := g.post(t, "/responses", `{"model":"router","input":"one two","stream":true}`)
	require.Equal(t, 200, status)
	assert.Contains(t, string(body), "event: response.created\n")
	frames := dataFrames(t, body)
	var types []string
	for i, f := range frames {
		ev := decode(t, f)
		types = append(types, ev["type"].(string))
		assert.EqualValues(t, i, ev["sequence_number"], "events keep their numbers")
	}
	assert.Equal(t, []string{"response.created", "response.in_progress",
		"response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
		"response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.completed"}, types, "every event the provider sent, in its order")
	first, last := decode(t, frames[0]), decode(t, frames[len(frames)-1])
	assert.Equal(t, "model-a-id", first["response"].(map[string]any)["model"])
	assert.Contains(t, first, "model_selection_details")
	assert.Equal(t, "response.completed", last["type"])
	assert.Equal(t, "model-a-id", last["response"].(map[string]any)["model"])
	assert.NotContains(t, last, "model_selection_details")
	out := g.outcome(t)
	assert.Equal(t, router.Usage{PromptTokens: 2, CompletionTokens: 3}, out.Usage)
}

// A streamed tool call reaches the client as the provider sent it: the
// item announced, its arguments in deltas, then closed, and the finished
// response holds it, which clients take the call from.
func TestResponsesStreamToolCallPassesWhole(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{ID: "call_1", Name: "lookup", Arguments: `{"city":"Paris"}`}})
	g := newGateway(t, f.fwd, upstream.APIResponses, openAIModel("model-a"))
	status, _, body := g.post(t, "/responses", `{"model":"router","input":"weather?","stream":true}`)
	require.Equal(t, 200, status)
	var args string
	var done, last map[string]any
	for _, frame := range dataFrames(t, body) {
		ev := decode(t, frame)
		switch ev["type"] {
		case "response.function_call_arguments.delta":
			args += ev["delta"].(string)
		case "response.function_call_arguments.done":
			done = ev
		case "response.completed":
			last = ev["response"].(map[string]any)
		}
	}
	assert.JSONEq(t, `{"city":"Paris"}`, args)
	require.NotNil(t, done)
	assert.Equal(t, "lookup", done["name"])
	require.NotNil(t, last)
	output := last["output"].([]any)
	require.Len(t, output, 1)
	call := output[0].(map[string]any)
	assert.Equal(t, "function_call", call["type"])
	assert.Equal(t, "call_1", call["call_id"])
	assert.Equal(t, done["item_id"], call["id"])
	assert.Equal(t, router.Usage{PromptTokens: 1, CompletionTokens: 1}, g.outcome(t).Usage)
}

func TestResponsesStreamCutUsesResponsesErrorEvent(t *testing.T) {
	f := newFakes(t)
	// Cut after its answer began (its third event, after response.created
	// and response.in_progress): before it, the next model would answer.
	f.openai.Set("model-a", upstreamtest.Behavior{CutAfter: 3})
	g := newGateway(t, f.fwd, upstream.APIResponses, openAIModel("model-a"))
	_, _, body := g.post(t, "/responses", `{"model":"router","input":"x","stream":true}`)
	assert.Contains(t, string(body), "event: error\n")
	frames := dataFrames(t, body)
	last := decode(t, frames[len(frames)-1])
	assert.Equal(t, "error", last["type"])
	assert.Equal(t, "upstream_stream_interrupted", last["code"])
	assert.Equal(t, http.StatusBadGateway, g.outcome(t).Status)
}
