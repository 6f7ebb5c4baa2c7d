package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// streamRead is what a client's SDK made of a stream: the answer's text,
// whether the stream said the answer ended (a finish reason, a stop
// reason, response.completed), and the SDK's error.
type streamRead struct {
	text  string
	ended bool
	err   error
}

// streamReaders read a streamed answer from the model named, each through
// its API's official SDK; a Chat Completions client asks for usage.
var streamReaders = map[string]func(e *e2e, model string) streamRead{
	"chat": func(e *e2e, model string) streamRead {
		client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
		stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
			Model:         "model-router",
			Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Count to three.")},
			StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
		}, onModel(model))
		var r streamRead
		var text strings.Builder
		for stream.Next() {
			if ch := stream.Current(); len(ch.Choices) > 0 {
				text.WriteString(ch.Choices[0].Delta.Content)
				r.ended = r.ended || ch.Choices[0].FinishReason != ""
			}
		}
		r.text, r.err = text.String(), stream.Err()
		return r
	},
	"responses": func(e *e2e, model string) streamRead {
		client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
		stream := client.Responses.NewStreaming(context.Background(), ask("Count to three."), onModel(model))
		var r streamRead
		var text strings.Builder
		for stream.Next() {
			switch ev := stream.Current(); ev.Type {
			case "response.output_text.delta":
				text.WriteString(ev.Delta)
			case "response.completed":
				r.ended = true
			case "error":
				// openai-go passes the Responses API's error event on
				// as an event, not as the stream's error.
				r.err = errors.New(ev.Message)
			}
		}
		r.text = text.String()
		if r.err == nil {
			r.err = stream.Err()
		}
		return r
	},
	"messages": func(e *e2e, model string) streamRead {
		client := e.anthropicClients(onlyModels(model))["v1"]
		stream := client.Messages.NewStreaming(context.Background(), helloParams("Count to three."))
		msg := anthropic.Message{}
		var r streamRead
		for stream.Next() {
			if err := msg.Accumulate(stream.Current()); err != nil {
				r.err = err
			}
		}
		if r.err == nil {
			r.err = stream.Err()
		}
		if len(msg.Content) > 0 {
			r.text = msg.Content[0].Text
		}
		r.ended = msg.StopReason != ""
		return r
	},
}

// A stream is whole only at its provider's own end: the usage chunk the
// gateway asked for or [DONE] after the finish reason on Chat Completions,
// message_delta (the stop reason and the final usage) on Claude's. One
// whose body ends before it was cut, whatever API the client speaks and
// however the gateway translates: the client gets its API's error event,
// not an end the gateway made up, and the log a broken stream (502,
// "upstream", usage estimated). A stream that did reach its end is a
// success, a Chat Completions stream with [DONE] from a server that
// ignores include_usage too.
func TestStreamEndedBeforeItsProvidersEnd(t *testing.T) {
	const reply = "one two three"
	for _, tt := range []struct {
		name     string
		client   string
		model    string
		behavior upstreamtest.Behavior
		cut      bool
	}{
		// A Messages client answered by an OpenAI-type provider: the
		// gateway asked it for usage on the client's behalf.
		{"messages from openai, neither usage nor [DONE]", "messages", "mini", upstreamtest.Behavior{Reply: reply, NoDone: true, NoStreamUsage: true}, true},
		{"messages from openai, usage, no [DONE]", "messages", "mini", upstreamtest.Behavior{Reply: reply, NoDone: true}, false},
		{"messages from openai, [DONE], no usage", "messages", "mini", upstreamtest.Behavior{Reply: reply, NoStreamUsage: true}, false},
		// Claude's stream ends cleanly after its text, before
		// message_delta: message_start, content_block_start, ping, a delta
		// per word and content_block_stop went out.
		{"chat from claude, no message_delta", "chat", "claude", upstreamtest.Behavior{Reply: reply, EndAfter: 7}, true},
		{"responses from claude, no message_delta", "responses", "claude", upstreamtest.Behavior{Reply: reply, EndAfter: 7}, true},
		{"messages from claude, no message_delta", "messages", "claude", upstreamtest.Behavior{Reply: reply, EndAfter: 7}, true},
		{"chat from claude, message_delta, no message_stop", "chat", "claude", upstreamtest.Behavior{Reply: reply, NoDone: true}, false},
		{"responses from claude, message_delta, no message_stop", "responses", "claude", upstreamtest.Behavior{Reply: reply, NoDone: true}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			if tt.model == "claude" {
				e.anthropic.Set(tt.model, tt.behavior)
			} else {
				e.openai.Set(tt.model, tt.behavior)
			}
			got := streamReaders[tt.client](e, tt.model)
			assert.Equal(t, reply, got.text, "the answer's text reached the client either way")
			r := e.log.waitFor(t, 1)[0]
			assert.Equal(t, tt.model, r.Answered)
			require.Len(t, r.Attempts, 1, "nothing fails over once bytes went out")
			if !tt.cut {
				require.NoError(t, got.err)
				assert.True(t, got.ended, "the client was told the answer ended")
				assert.Equal(t, http.StatusOK, r.Status)
				assert.Empty(t, r.ErrorCode)
				return
			}
			require.Error(t, got.err, "the client is told its stream was cut")
			assert.Contains(t, got.err.Error(), "stream ended")
			assert.False(t, got.ended, "no end of the answer the provider never sent")
			assert.Equal(t, http.StatusBadGateway, r.Status, "logged as a broken stream")
			assert.Equal(t, router.EUpstream, r.ErrorCode)
			assert.True(t, r.UsageEstimated, "the provider never said what the answer used")
		})
	}
}
