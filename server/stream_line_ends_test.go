package server

import (
	"context"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A provider whose event stream ends its lines in CR alone, or CRLF, as
// the SSE format allows, answers as one that ends them in LF: the client
// reads the whole answer and the log has a success, whether the provider
// speaks OpenAI's Chat Completions or Anthropic's Messages.
func TestStreamWithCROrCRLFLinesReachesTheClientWhole(t *testing.T) {
	for _, eol := range []string{"\r", "\r\n"} {
		for _, model := range []string{"mini", "claude"} {
			t.Run(model+" "+map[string]string{"\r": "CR", "\r\n": "CRLF"}[eol], func(t *testing.T) {
				e := newE2E(t)
				fake := e.openai
				if model == "claude" {
					fake = e.anthropic
				}
				fake.Set(model, upstreamtest.Behavior{LineEnd: eol})
				client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0))
				stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
					Model:    "model-router",
					Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
				}, option.WithJSONSet("routing_config", map[string]any{"models": []string{model}}))
				var text strings.Builder
				for stream.Next() {
					if ch := stream.Current(); len(ch.Choices) > 0 {
						text.WriteString(ch.Choices[0].Delta.Content)
					}
				}
				require.NoError(t, stream.Err())
				assert.Equal(t, "Hello from "+model+".", text.String())
				r := e.log.waitFor(t, 1)[0]
				assert.Equal(t, model, r.Answered)
				assert.Equal(t, 200, r.Status)
				assert.Empty(t, r.ErrorCode)
				assert.Positive(t, r.Usage.CompletionTokens, "the usage the provider sent was read")
			})
		}
	}
}
