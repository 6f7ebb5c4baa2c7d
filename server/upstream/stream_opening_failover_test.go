package upstream_test

// A stream's opening, sent before the model has written anything (the
// Chat Completions chunk with only the role, which OpenAI sends first on
// every stream), is held until the answer begins: a provider that stalls
// or fails right after it has answered nothing, so the next model answers,
// whether the client's API is the provider's or a translation of it, and
// the client's SDK reads one whole answer.

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// afterOpening is how a provider goes wrong after its first n events, and
// what its attempt then says in the decision log.
var afterOpening = map[string]struct {
	behavior func(n int) upstreamtest.Behavior
	attempt  string
}{
	"stalls": {func(n int) upstreamtest.Behavior { return upstreamtest.Behavior{Stall: true, StallAfter: n} },
		"timeout: no answer begun within 300ms"},
	"sends an error": {func(n int) upstreamtest.Behavior { return upstreamtest.Behavior{ErrorAfter: n} },
		"sent an error"},
}

// openingGateway is a gateway for api whose first model goes wrong as b
// says and whose second answers, under a short attempt timeout.
func openingGateway(t *testing.T, api upstream.API, first router.Model, b upstreamtest.Behavior) (*gateway, router.Model) {
	f := newFakes(t)
	f.fwd.AttemptTimeout = 300 * time.Millisecond
	if first.Provider == "anthropic" {
		f.anthropic.Set(first.Name, b)
	} else {
		f.openai.Set(first.Name, b)
	}
	next := openAIModel("model-b")
	return newGateway(t, f.fwd, api, first, next), next
}

// assertFailedOver checks the decision log's attempts: first went wrong as
// want says, then next answered.
func assertFailedOver(t *testing.T, out upstream.Outcome, first, next router.Model, want string) {
	t.Helper()
	assert.Equal(t, next.ID, out.Answered.ID, "%+v", out.Attempts)
	assert.Equal(t, 200, out.Status)
	require.Len(t, out.Attempts, 2, "%+v", out.Attempts)
	assert.Equal(t, first.ID, out.Attempts[0].Model)
	assert.Contains(t, out.Attempts[0].Error, want)
	assert.Equal(t, next.ID, out.Attempts[1].Model)
	assert.Empty(t, out.Attempts[1].Error)
}

func TestAChatStreamThatGoesWrongAfterItsRoleChunkIsAnsweredByTheNextModel(t *testing.T) {
	for name, fail := range afterOpening {
		t.Run(name, func(t *testing.T) {
			first := openAIModel("model-a")
			g, next := openingGateway(t, upstream.APIChatCompletions, first, fail.behavior(1))
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
			require.Len(t, acc.Choices, 1)
			assert.Equal(t, "Hello from model-b.", acc.Choices[0].Message.Content)
			assert.Equal(t, "assistant", string(acc.Choices[0].Message.Role))
			assert.Equal(t, next.ID, acc.Model)
			assert.EqualValues(t, 3, acc.Usage.CompletionTokens, "the answering model's usage")
			assertFailedOver(t, g.outcome(t), first, next, fail.attempt)
		})
	}
}

// Translated for a Messages client, the role chunk is message_start, with
// the gateway's estimate of the prompt's tokens: held the same way, so
// the client's one message_start is the next model's.
func TestAMessagesStreamFromChatThatGoesWrongAfterItsRoleChunkIsAnsweredByTheNextModel(t *testing.T) {
	for name, fail := range afterOpening {
		t.Run(name, func(t *testing.T) {
			first := openAIModel("model-a")
			g, next := openingGateway(t, upstream.APIMessages, first, fail.behavior(1))

			msg, err := accumulate(t, messagesClient(g), helloParams)

			require.NoError(t, err)
			assert.Equal(t, next.ID, string(msg.Model))
			require.Len(t, msg.Content, 1)
			assert.Equal(t, "Hello from model-b.", msg.Content[0].Text)
			assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
			assertFailedOver(t, g.outcome(t), first, next, fail.attempt)
		})
	}
}

// What was held goes out as it would have: the client's stream opens with
// one message_start, the answering model's, carrying the gateway's prompt
// estimate and the selection details.
func TestAHeldMessageStartOpensTheClientsStreamAsItWouldHave(t *testing.T) {
	first, next := openAIModel("model-a"), openAIModel("model-b")
	f := stallingAfter(t, first, 1, 5*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()

	out := f.fwd.Forward(ctx, rec, upstream.Call{
		API: upstream.APIMessages, Raw: bodyFor(upstream.APIMessages, true), Stream: true,
		Order: []router.Model{first, next}, InputTokens: 42,
		Details: func(attempts []router.Attempt, answered router.Model) any {
			return selection{Answered: answered.ID, Attempts: attempts}
		},
	})

	require.NoError(t, ctx.Err())
	assert.Equal(t, next.ID, out.Answered.ID, "%+v", out.Attempts)
	body := rec.Body.String()
	assert.True(t, strings.HasPrefix(body, "event: message_start\n"), body)
	assert.Equal(t, 1, strings.Count(body, "event: message_start"), body)
	start := decode(t, dataFrames(t, rec.Body.Bytes())[0])
	msg := start["message"].(map[string]any)
	assert.Equal(t, next.ID, msg["model"])
	assert.Equal(t, "msg_chatcmpl-fake", msg["id"])
	assert.EqualValues(t, 42, msg["usage"].(map[string]any)["input_tokens"], "the gateway's estimate, until the provider counts")
	assert.Equal(t, next.ID, start["model_selection_details"].(map[string]any)["answered"])
	assert.Equal(t, 1, out.Usage.PromptTokens, "the provider's count of the one-word prompt, from the end of its stream")
}
