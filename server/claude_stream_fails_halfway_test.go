package server

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const halfwayReply = "one two three four five six seven eight"

// claudeFailsHalfway are the ways a Claude stream (an Anthropic-type
// provider) fails after part of its answer went out: the connection
// breaks, or Anthropic's own error event comes (overloaded_error). Each
// fails after message_start, content_block_start, ping and two words.
var claudeFailsHalfway = []struct {
	name     string
	behavior upstreamtest.Behavior
	// client is what the client's SDK error says, attempt the log's
	// attempt error.
	client, attempt string
}{
	{"connection breaks", upstreamtest.Behavior{Reply: halfwayReply, CutAfter: 5}, "upstream claude stream broke off", "stream broke off"},
	{"provider's error event", upstreamtest.Behavior{Reply: halfwayReply, ErrorAfter: 5}, "Overloaded", "sent an error: Overloaded"},
}

// claudeThenMini routes a call to Claude, mini its fallback (quality mode
// puts the stronger model first).
var claudeThenMini = map[string]any{"mode": "quality", "models": []string{"claude", "mini"}}

// checkLoggedAsBroken asserts the decision log's row of a stream that
// failed after part of its answer went out: Claude answered, the call is a
// 502 with the upstream error code, and no other model was tried once the
// client had bytes (mini, the call's second model, got no request).
func checkLoggedAsBroken(t *testing.T, e *e2e, attempt string) {
	t.Helper()
	r := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "claude", r.Answered)
	assert.Equal(t, http.StatusBadGateway, r.Status)
	assert.Equal(t, router.EUpstream, r.ErrorCode)
	require.Len(t, r.Attempts, 1, "nothing fails over once bytes went out")
	assert.Equal(t, "claude", r.Attempts[0].Model)
	assert.Contains(t, r.Attempts[0].Error, attempt)
	assert.True(t, r.UsageEstimated, "Claude's output count comes at the end, which never came")
	assert.Empty(t, e.openai.RequestsFor("mini"))
}

// checkPartOfTheAnswer asserts the client got the answer's beginning, not
// all of it.
func checkPartOfTheAnswer(t *testing.T, text string) {
	t.Helper()
	assert.NotEmpty(t, text, "what came before the failure reached the client")
	assert.True(t, strings.HasPrefix(halfwayReply, text), "%q is the answer's beginning", text)
	assert.NotEqual(t, halfwayReply, strings.TrimSpace(text))
}

// A Claude stream that fails halfway reaches an openai-go client on Chat
// Completions as the words before the failure and then an error, and the
// decision log has a broken stream, not a success.
func TestClaudeStreamThatFailsHalfwayToAChatClient(t *testing.T) {
	for _, tt := range claudeFailsHalfway {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			e.anthropic.Set("claude", tt.behavior)
			client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
			stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
				Model:    "model-router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Count to eight.")},
			}, option.WithJSONSet("routing_config", claudeThenMini))
			var text strings.Builder
			for stream.Next() {
				if ch := stream.Current(); len(ch.Choices) > 0 {
					assert.Empty(t, ch.Choices[0].FinishReason, "no finish reason for an answer that did not finish")
					text.WriteString(ch.Choices[0].Delta.Content)
				}
			}
			require.Error(t, stream.Err(), "the client must learn the answer is incomplete")
			assert.Contains(t, stream.Err().Error(), tt.client)
			checkPartOfTheAnswer(t, text.String())
			checkLoggedAsBroken(t, e, tt.attempt)
		})
	}
}

// The same through the Messages endpoint, read by anthropic-sdk-go: the
// words before the failure, no stop reason, then the SDK's error.
func TestClaudeStreamThatFailsHalfwayToAMessagesClient(t *testing.T) {
	for _, tt := range claudeFailsHalfway {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			e.anthropic.Set("claude", tt.behavior)
			client := e.anthropicClients(aoption.WithJSONSet("routing_config", claudeThenMini))["v1"]
			stream := client.Messages.NewStreaming(context.Background(), helloParams("Count to eight."))
			msg := anthropic.Message{}
			for stream.Next() {
				require.NoError(t, msg.Accumulate(stream.Current()))
			}
			require.Error(t, stream.Err(), "the client must learn the answer is incomplete")
			assert.Contains(t, stream.Err().Error(), tt.client)
			assert.Equal(t, "claude", string(msg.Model))
			assert.Empty(t, msg.StopReason, "no stop reason for an answer that did not finish")
			require.NotEmpty(t, msg.Content)
			checkPartOfTheAnswer(t, msg.Content[0].Text)
			checkLoggedAsBroken(t, e, tt.attempt)
		})
	}
}
