package upstream_test

// A stream's opening, sent before the model has written anything (the
// Chat Completions chunk with only the role, which OpenAI sends first on
// every stream, and Claude's message_start), is held until the answer
// begins: a provider that stalls or fails (overloaded) right after it has
// answered nothing, so the next model answers, whether the client's API
// is the provider's or a translation of it, and the client's SDK reads
// one whole answer.

import (
	"context"
	"net/http"
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

// firstModels are the models whose stream opens before it goes wrong:
// OpenAI's with its role chunk, Claude's with message_start.
var firstModels = map[string]router.Model{
	"OpenAI after its role chunk": openAIModel("model-a"),
	"Claude after message_start":  anthropicModel("claude-x"),
}

func TestAChatStreamThatGoesWrongAfterItsOpeningIsAnsweredByTheNextModel(t *testing.T) {
	for first, m := range firstModels {
		for how, fail := range afterOpening {
			t.Run(first+", "+how, func(t *testing.T) {
				g, next := openingGateway(t, upstream.APIChatCompletions, m, fail.behavior(1))
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
				assertFailedOver(t, g.outcome(t), m, next, fail.attempt)
			})
		}
	}
}

// On Messages, Claude's stream is passed on and an OpenAI-compatible one
// translated, its role chunk becoming message_start with the gateway's
// estimate of the prompt's tokens: either way the client's one
// message_start is the next model's.
func TestAMessagesStreamThatGoesWrongAfterItsOpeningIsAnsweredByTheNextModel(t *testing.T) {
	for first, m := range firstModels {
		for how, fail := range afterOpening {
			t.Run(first+", "+how, func(t *testing.T) {
				g, next := openingGateway(t, upstream.APIMessages, m, fail.behavior(1))

				msg, err := accumulate(t, messagesClient(g), helloParams)

				require.NoError(t, err)
				assert.Equal(t, next.ID, string(msg.Model))
				require.Len(t, msg.Content, 1)
				assert.Equal(t, "Hello from model-b.", msg.Content[0].Text)
				assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
				assertFailedOver(t, g.outcome(t), m, next, fail.attempt)
			})
		}
	}
}

// Translated for a Responses client, message_start is response.created
// and response.in_progress: held the same way, so the client's stream is
// the next model's, numbered from 0.
func TestAResponsesStreamFromClaudeThatGoesWrongAfterMessageStartIsAnsweredByTheNextModel(t *testing.T) {
	for how, fail := range afterOpening {
		t.Run(how, func(t *testing.T) {
			first := anthropicModel("claude-x")
			g, next := openingGateway(t, upstream.APIResponses, first, fail.behavior(1))
			c := openai.NewClient(option.WithBaseURL(g.URL), option.WithAPIKey("k"), option.WithMaxRetries(0))

			evs, err := streamEvents(t, c, claudeResponseParams)

			require.NoError(t, err)
			res := final(t, evs, "response.completed")
			assert.Equal(t, next.ID, res.Model)
			assert.Equal(t, "Hello from model-b.", res.OutputText())
			assert.Equal(t, "response.created", evs[0].Type)
			assert.Equal(t, next.ID, evs[0].Response.Model)
			assertFailedOver(t, g.outcome(t), first, next, fail.attempt)
		})
	}
}

// claudeOpening is Claude's message_start and a ping after it, as Claude
// may send before its first content block.
var claudeOpening = []string{
	sseNamed("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}`),
	sseNamed("ping", `{"type":"ping"}`),
}

// The pings after message_start are held with it: a Claude stream that
// stalls, fails or ends after them has sent the client nothing, whatever
// the client's API, and the next model answers.
func TestAClaudeStreamThatGoesWrongAfterMessageStartAndAPingIsAnsweredByTheNextModel(t *testing.T) {
	overloaded := sseNamed("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
	for how, tc := range map[string]struct {
		handler http.HandlerFunc
		attempt string
	}{
		"stalls": {func(w http.ResponseWriter, r *http.Request) {
			writes(http.StatusOK, "text/event-stream", claudeOpening...)(w, r)
			<-r.Context().Done()
		}, "timeout: no answer begun within"},
		"sends overloaded_error": {writes(http.StatusOK, "text/event-stream", append(claudeOpening, overloaded)...),
			"sent an error: Overloaded"},
		"ends": {writes(http.StatusOK, "text/event-stream", claudeOpening...), "stream ended before any answer"},
	} {
		for _, api := range []upstream.API{upstream.APIMessages, upstream.APIChatCompletions, upstream.APIResponses} {
			t.Run(how+", "+string(api), func(t *testing.T) {
				m := newMisbehaving(t, upstream.KindAnthropic, tc.handler)

				out, rec := m.call(t, api, true)

				assertFailedOver(t, out, m.bad, m.good, tc.attempt)
				assert.Contains(t, rec.Body.String(), "good.")
				assert.NotContains(t, rec.Body.String(), m.bad.ID)
			})
		}
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
