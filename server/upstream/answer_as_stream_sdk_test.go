package upstream_test

import (
	"context"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The official SDKs stream the whole answer of a provider that answers a
// streaming request in JSON (upstreamtest's NoStreaming): its text, tool
// calls and Claude's thinking, stop reason, usage and model, the same
// answer they read when they ask for JSON, on every path to every API.

// jsonOnly is a provider model that never streams, answering with text
// and then a tool call (and thinking on Claude).
func jsonOnly(f *fakes, m router.Model, call *upstreamtest.ToolCall) {
	b := upstreamtest.Behavior{NoStreaming: true, ToolCall: call, TextFirst: true, Reply: "Let me check."}
	if m.Provider == "anthropic" {
		b.Thinking = "the user wants the weather"
		f.anthropic.Set(m.Name, b)
		return
	}
	f.openai.Set(m.Name, b)
}

// askedToStream reports whether every request the fakes got asked for a
// stream: the answer was JSON although the gateway asked for events.
func askedToStream(f *fakes) bool {
	reqs := append(f.openai.Requests(), f.anthropic.Requests()...)
	for _, r := range reqs {
		if !r.Stream {
			return false
		}
	}
	return len(reqs) > 0
}

var jsonOnlyModels = map[string]router.Model{"OpenAI-compatible": openAIModel("model-a"), "Claude": anthropicModel("claude-x")}

func TestChatSDKStreamsAJSONAnswerWhole(t *testing.T) {
	for name, model := range jsonOnlyModels {
		t.Run(name, func(t *testing.T) {
			f := newFakes(t)
			jsonOnly(f, model, weatherCall)
			g := newGateway(t, f.fwd, upstream.APIChatCompletions, model)
			params := claudeParams
			params.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "weather"})}
			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}

			c := sdkClient(g)
			s := c.Chat.Completions.NewStreaming(context.Background(), params)
			acc := openai.ChatCompletionAccumulator{}
			for n := 0; s.Next(); n++ {
				_, details := s.Current().JSON.ExtraFields["model_selection_details"]
				assert.Equal(t, n == 0, details, "details on the first chunk only (chunk %d)", n)
				acc.AddChunk(s.Current())
			}
			require.NoError(t, s.Err())
			require.True(t, askedToStream(f))
			require.Len(t, acc.Choices, 1)
			msg := acc.Choices[0].Message
			assert.Equal(t, "Let me check.", msg.Content)
			if assert.Len(t, msg.ToolCalls, 1) {
				assert.Equal(t, "weather", msg.ToolCalls[0].Function.Name)
				assert.JSONEq(t, weatherCall.Arguments, msg.ToolCalls[0].Function.Arguments)
				assert.NotEmpty(t, msg.ToolCalls[0].ID)
			}
			assert.Equal(t, "tool_calls", acc.Choices[0].FinishReason)
			assert.Equal(t, model.ID, acc.Model)
			out := g.outcome(t)

			res, err := c.Chat.Completions.New(context.Background(), params)
			require.NoError(t, err)
			asJSON := g.outcome(t)
			assert.Equal(t, res.Usage.PromptTokens, acc.Usage.PromptTokens)
			assert.Equal(t, res.Usage.CompletionTokens, acc.Usage.CompletionTokens)
			assert.Positive(t, acc.Usage.CompletionTokens)
			assert.Equal(t, model.ID, out.Answered.ID)
			assert.True(t, out.Whole)
			assert.Equal(t, asJSON.Usage, out.Usage)
		})
	}
}

func TestResponsesSDKStreamsAJSONAnswerWhole(t *testing.T) {
	for name, model := range jsonOnlyModels {
		t.Run(name, func(t *testing.T) {
			f := newFakes(t)
			jsonOnly(f, model, lookupCall)
			g := newGateway(t, f.fwd, upstream.APIResponses, model)
			c := sdkClient(g)

			evs, err := streamEvents(t, c, lookupParams())
			require.NoError(t, err)
			require.True(t, askedToStream(f))
			streamed := final(t, evs, "response.completed")
			out := g.outcome(t)
			res, err := c.Responses.New(context.Background(), lookupParams())
			require.NoError(t, err)
			asJSON := g.outcome(t)

			assert.Equal(t, "response.created", evs[0].Type)
			assert.Equal(t, model.ID, streamed.Model)
			assert.Equal(t, res.OutputText(), streamed.OutputText())
			assert.Equal(t, res.OutputText(), deltas(evs, "response.output_text.delta"))
			require.Equal(t, len(res.Output), len(streamed.Output), "%s", streamed.RawJSON())
			for i := range res.Output {
				assert.Equal(t, res.Output[i].Type, streamed.Output[i].Type)
			}
			call := streamed.Output[len(streamed.Output)-1]
			assert.Equal(t, "function_call", call.Type)
			assert.Equal(t, "lookup", call.Name)
			assert.JSONEq(t, lookupCall.Arguments, call.Arguments.OfString)
			assert.JSONEq(t, lookupCall.Arguments, deltas(evs, "response.function_call_arguments.delta"))
			assert.Equal(t, res.Usage.InputTokens, streamed.Usage.InputTokens)
			assert.Equal(t, res.Usage.OutputTokens, streamed.Usage.OutputTokens)
			assert.Equal(t, model.ID, out.Answered.ID)
			assert.True(t, out.Whole)
			assert.Equal(t, asJSON.Usage, out.Usage)
		})
	}
}

func TestMessagesSDKStreamsAJSONAnswerWhole(t *testing.T) {
	for name, model := range jsonOnlyModels {
		t.Run(name, func(t *testing.T) {
			f := newFakes(t)
			jsonOnly(f, model, weatherCall)
			g := newGateway(t, f.fwd, upstream.APIMessages, model)
			c := messagesClient(g)

			streamed, err := accumulate(t, c, weatherParams())
			require.NoError(t, err)
			require.True(t, askedToStream(f))
			out := g.outcome(t)
			res, err := c.Messages.New(context.Background(), weatherParams())
			require.NoError(t, err)
			asJSON := g.outcome(t)

			assert.Equal(t, model.ID, string(streamed.Model))
			require.Len(t, streamed.Content, len(res.Content), "%s", streamed.RawJSON())
			for i, want := range res.Content {
				got := streamed.Content[i]
				assert.Equal(t, want.Type, got.Type)
				assert.Equal(t, want.Text, got.Text)
				assert.Equal(t, want.Thinking, got.Thinking)
				assert.Equal(t, want.Signature, got.Signature)
				assert.Equal(t, want.Name, got.Name)
				if want.Type == "tool_use" {
					assert.JSONEq(t, string(want.Input), string(got.Input))
				}
			}
			assert.Equal(t, "Let me check.", streamed.Content[len(streamed.Content)-2].Text)
			if model.Provider == "anthropic" {
				assert.Equal(t, "the user wants the weather", streamed.Content[0].Thinking)
			}
			assert.Equal(t, anthropic.StopReasonToolUse, streamed.StopReason)
			assert.Equal(t, res.Usage.InputTokens, streamed.Usage.InputTokens)
			assert.Equal(t, res.Usage.OutputTokens, streamed.Usage.OutputTokens)
			assert.Equal(t, model.ID, out.Answered.ID)
			assert.True(t, out.Whole)
			assert.Equal(t, asJSON.Usage, out.Usage)
		})
	}
}
