package server

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Chat Completions or Responses client answered by an Anthropic-format
// server that reports no usage (an Anthropic-compatible proxy or a server
// of one's own: Claude itself always counts) is told the usage the decision
// log bills the answer at, marked estimated, rather than 0 and 0, streamed
// or not, as a Messages client answered by an OpenAI-format server is
// (TestMessagesAnswerWithoutProviderUsageHasTheLoggedEstimate): the prompt's
// estimated tokens, and the answer's predicted length or, where its text is
// longer (here), that text's tokens.
func TestOpenAIClientsAnsweredByClaudeWithoutUsageGetTheLoggedEstimate(t *testing.T) {
	reply := strings.Repeat("The quick brown fox jumps over the lazy dog again. ", 100)
	text := EstimateTokensByChars([]string{reply})
	const question = "Write a long story about a fox."
	chat := openai.ChatCompletionNewParams{
		Model:         "model-router",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage(question)},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	}
	resp := responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(question)},
		Store: openai.Bool(false),
	}
	// Each asks once and returns the usage the client read: prompt, answer.
	asks := map[string]func(t *testing.T, client openai.Client) (int64, int64){
		"chat": func(t *testing.T, client openai.Client) (int64, int64) {
			answer, err := client.Chat.Completions.New(context.Background(), chat, onModel("claude"))
			require.NoError(t, err)
			return answer.Usage.PromptTokens, answer.Usage.CompletionTokens
		},
		"chat stream": func(t *testing.T, client openai.Client) (int64, int64) {
			stream := client.Chat.Completions.NewStreaming(context.Background(), chat, onModel("claude"))
			acc := openai.ChatCompletionAccumulator{}
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			require.NoError(t, stream.Err())
			return acc.Usage.PromptTokens, acc.Usage.CompletionTokens
		},
		"responses": func(t *testing.T, client openai.Client) (int64, int64) {
			answer, err := client.Responses.New(context.Background(), resp, onModel("claude"))
			require.NoError(t, err)
			return answer.Usage.InputTokens, answer.Usage.OutputTokens
		},
		"responses stream": func(t *testing.T, client openai.Client) (int64, int64) {
			stream := client.Responses.NewStreaming(context.Background(), resp, onModel("claude"))
			var completed responses.Response
			for stream.Next() {
				if ev := stream.Current(); ev.Type == "response.completed" {
					completed = ev.Response
				}
			}
			require.NoError(t, stream.Err())
			require.NotEmpty(t, completed.ID, "response.completed came")
			return completed.Usage.InputTokens, completed.Usage.OutputTokens
		},
	}
	for name, ask := range asks {
		for _, whole := range []bool{false, true} {
			if whole && !strings.HasSuffix(name, "stream") {
				continue
			}
			// whole: a server that ignores `stream` answers a stream in
			// one JSON body, which the gateway streams to the client.
			t.Run(fmt.Sprintf("%s/answered whole=%t", name, whole), func(t *testing.T) {
				e := newE2E(t)
				e.anthropic.Set("claude", upstreamtest.Behavior{NoUsage: true, Reply: reply, NoStreaming: whole})
				prompt, output := ask(t, e.clients()["v1"])

				rec := e.log.waitFor(t, 1)[0]
				require.Equal(t, "claude", rec.Answered)
				require.True(t, rec.UsageEstimated, "the server never said")
				assert.GreaterOrEqual(t, rec.Usage.CompletionTokens, text, "the answer's text was generated")
				assert.Positive(t, prompt)
				assert.Equal(t, router.Usage{PromptTokens: rec.Usage.PromptTokens, CompletionTokens: rec.Usage.CompletionTokens},
					router.Usage{PromptTokens: int(prompt), CompletionTokens: int(output)}, "the client is told the log's estimate")
			})
		}
	}
}
