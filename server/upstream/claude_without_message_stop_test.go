package upstream_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Claude stream whose body ends after message_delta, without the
// message_stop Anthropic documents as its last event, has sent the whole
// answer: message_delta comes after the last content block and carries the
// stop reason and the final usage, and none can follow the end of the
// body. The client's stream ends as after message_stop, on each API the
// gateway serves Claude on, and the call is a success billed on Claude's
// usage, not a broken stream.
func TestClaudeStreamEndedAfterMessageDeltaIsWhole(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{Reply: "Hi, I am Claude.", NoDone: true})
	// 5 prompt words, 4 answer words (the fake's counts).
	billed := router.Usage{PromptTokens: 5, CompletionTokens: 4}

	t.Run("chat completions", func(t *testing.T) {
		g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))
		p := claudeParams
		p.StreamOptions.IncludeUsage = openai.Bool(true)
		c := sdkClient(g)
		s := c.Chat.Completions.NewStreaming(context.Background(), p)
		var acc openai.ChatCompletionAccumulator
		for s.Next() {
			acc.AddChunk(s.Current())
		}
		require.NoError(t, s.Err())
		require.Len(t, acc.Choices, 1)
		assert.Equal(t, "Hi, I am Claude.", acc.Choices[0].Message.Content)
		assert.Equal(t, "stop", acc.Choices[0].FinishReason)
		assert.EqualValues(t, 4, acc.Usage.CompletionTokens, "the usage chunk asked for still comes")
		out := g.outcome(t)
		assert.Equal(t, 200, out.Status)
		assert.Nil(t, out.Err)
		assert.True(t, out.Whole)
		assert.Equal(t, billed, out.Usage)
	})

	t.Run("responses", func(t *testing.T) {
		g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
		evs, err := streamEvents(t, sdkClient(g), claudeResponseParams)
		require.NoError(t, err)
		res := final(t, evs, "response.completed")
		assert.Equal(t, "Hi, I am Claude.", res.OutputText())
		assert.EqualValues(t, 4, res.Usage.OutputTokens)
		out := g.outcome(t)
		assert.Equal(t, 200, out.Status)
		assert.Nil(t, out.Err)
		assert.True(t, out.Whole)
		assert.Equal(t, billed, out.Usage)
	})

	t.Run("messages", func(t *testing.T) {
		g := newGateway(t, f.fwd, upstream.APIMessages, anthropicModel("claude-x"))
		code, _, body := g.post(t, "/messages", `{"model":"router","stream":true,"max_tokens":100,"system":"be kind","messages":[{"role":"user","content":"hello there claude"}]}`)
		require.Equal(t, 200, code)
		frames := dataFrames(t, body)
		require.NotEmpty(t, frames)
		assert.Equal(t, "message_stop", decode(t, frames[len(frames)-1])["type"], "the stream ends as Anthropic's do: %s", body)
		for _, fr := range frames {
			assert.NotEqual(t, "error", decode(t, fr)["type"], "no error event: %s", body)
		}
		out := g.outcome(t)
		assert.Equal(t, 200, out.Status)
		assert.Nil(t, out.Err)
		assert.True(t, out.Whole)
		assert.Equal(t, billed, out.Usage)

		// And with the SDK, which reads the message to its end.
		msg, err := accumulate(t, messagesClient(g), helloParams)
		require.NoError(t, err)
		assert.Equal(t, "end_turn", string(msg.StopReason))
		g.outcome(t)
	})
}

// A client that leaves once Claude's message_delta has brought the stop
// reason has had the whole answer, as when the body ends there: while a
// provider keeps its connection open without message_stop, the client has
// its finish (a Chat Completions client's finish_reason chunk, a Messages
// client's message_delta) and waits only for the closing events, and
// leaving then is a delivered answer (200, billed whole), as it is after
// an OpenAI-compatible model's finish reason, not a client that left
// mid-answer (499).
func TestClaudeStreamClientLeavesAfterMessageDeltaIsWhole(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{Reply: "Hi, I am Claude.", NoDone: true, HoldOpen: true})
	for _, tt := range []struct {
		name, path, body, until string
		api                     upstream.API
	}{
		{"chat completions", "/chat/completions", `{"model":"router","stream":true,"messages":[{"role":"user","content":"hello there claude"}]}`,
			`"finish_reason":"stop"`, upstream.APIChatCompletions},
		{"messages", "/messages", `{"model":"router","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hello there claude"}]}`,
			`"stop_reason":"end_turn"`, upstream.APIMessages},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, f.fwd, tt.api, anthropicModel("claude-x"))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			br := bufio.NewReader(res.Body)
			for {
				line, err := br.ReadString('\n')
				require.NoError(t, err, "the stream carries the stop reason")
				if strings.HasPrefix(line, "data: ") && strings.Contains(line, tt.until) {
					break
				}
			}
			cancel() // the client has its finish and leaves
			res.Body.Close()
			out := g.outcome(t)
			assert.Equal(t, 200, out.Status, "Claude had sent the stop reason and the final usage")
			assert.Nil(t, out.Err)
			assert.True(t, out.Whole)
			assert.EqualValues(t, 4, out.Usage.CompletionTokens)
		})
	}
}
