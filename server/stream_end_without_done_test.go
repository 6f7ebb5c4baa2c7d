package server

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Chat Completions stream whose provider closes its connection after the
// finish reason, without `data: [DONE]`, carried the whole answer; but a
// client that asked for usage (stream_options.include_usage) is owed the
// usage chunk, which comes after the finish reason and before [DONE]: when
// neither came, the stream was cut there. The client then gets the
// gateway's error event and the log a broken stream (502, "upstream"),
// not a success; otherwise the stream ends as a success, as before.
func TestChatStreamEndedAfterTheFinishReasonWithoutDone(t *testing.T) {
	for _, tt := range []struct {
		name       string
		behavior   upstreamtest.Behavior
		usageAsked bool
		cut        bool
	}{
		{"usage asked, neither usage nor [DONE] came", upstreamtest.Behavior{NoDone: true, NoStreamUsage: true}, true, true},
		{"usage not asked, neither usage nor [DONE] came", upstreamtest.Behavior{NoDone: true, NoStreamUsage: true}, false, false},
		{"usage asked, usage came, no [DONE]", upstreamtest.Behavior{NoDone: true}, true, false},
		{"usage asked, no usage, [DONE] came", upstreamtest.Behavior{NoStreamUsage: true}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			e.openai.Set("mini", tt.behavior)
			client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
			params := openai.ChatCompletionNewParams{
				Model:    "model-router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
			}
			if tt.usageAsked {
				params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			}
			stream := client.Chat.Completions.NewStreaming(context.Background(), params,
				option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini"}}))
			var text strings.Builder
			for stream.Next() {
				if ch := stream.Current(); len(ch.Choices) > 0 {
					text.WriteString(ch.Choices[0].Delta.Content)
				}
			}
			assert.Equal(t, "Hello from mini.", text.String(), "the answer's text reached the client either way")
			r := e.log.waitFor(t, 1)[0]
			assert.Equal(t, "mini", r.Answered)
			if !tt.cut {
				require.NoError(t, stream.Err())
				assert.Equal(t, 200, r.Status)
				assert.Empty(t, r.ErrorCode)
				return
			}
			require.Error(t, stream.Err(), "the client is told its stream was cut")
			assert.Contains(t, stream.Err().Error(), "usage chunk")
			assert.Equal(t, 502, r.Status, "logged as a broken stream")
			assert.Equal(t, router.EUpstream, r.ErrorCode)
			assert.True(t, r.UsageEstimated, "the provider never said what the answer used")
		})
	}
}

// A Chat Completions client that asked for usage and leaves right after
// the finish reason had the whole answer: the call is logged as a client
// that left after the answer is (its provider's 200, no error), not as a
// stream the provider cut (502) for the usage chunk it is still owed,
// whether the provider still holds the usage chunk or sends it once the
// client is gone.
func TestChatClientThatAskedForUsageAndLeftAfterTheFinishReason(t *testing.T) {
	for _, tt := range []struct {
		name     string
		behavior upstreamtest.Behavior
	}{
		// The role chunk, three words and the finish chunk: then nothing.
		{"the provider holds the usage chunk", upstreamtest.Behavior{Stall: true, StallAfter: 5}},
		{"the provider sends the usage chunk later", upstreamtest.Behavior{Pace: 20 * time.Millisecond}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t)
			e.openai.Set("mini", tt.behavior)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			resp := e.openStream(t, ctx, `{"model":"model-router","stream":true,"stream_options":{"include_usage":true},`+
				`"routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"Say hello"}]}`)
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			for {
				line, err := br.ReadString('\n')
				require.NoError(t, err, "the stream reached the finish reason: %s", line)
				if strings.Contains(line, `"finish_reason":"stop"`) {
					break
				}
			}
			cancel() // the client leaves: its connection is closed
			r := e.log.waitFor(t, 1)[0]
			assert.Equal(t, "mini", r.Answered)
			assert.Equal(t, 200, r.Status, "the client had the whole answer")
			assert.Empty(t, r.ErrorCode)
		})
	}
}
