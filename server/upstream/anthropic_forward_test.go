package upstream_test

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func sdkClient(g *gateway) openai.Client {
	return openai.NewClient(option.WithBaseURL(g.URL), option.WithAPIKey("k"), option.WithMaxRetries(0))
}

var claudeParams = openai.ChatCompletionNewParams{
	Model: "router",
	Messages: []openai.ChatCompletionMessageParamUnion{
		openai.SystemMessage("be kind"), openai.UserMessage("hello there claude"),
	},
}

func TestAnthropicAnswerTranslated(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{Reply: "Hi, I am Claude.", CachedTokens: 2})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))

	c := sdkClient(g)
	res, err := c.Chat.Completions.New(context.Background(), claudeParams)
	require.NoError(t, err)
	assert.Equal(t, "chat.completion", string(res.Object))
	assert.Equal(t, "claude-x-id", res.Model)
	assert.Equal(t, "Hi, I am Claude.", res.Choices[0].Message.Content)
	assert.Equal(t, "stop", res.Choices[0].FinishReason)
	// 5 prompt words plus 2 cache reads, which OpenAI counts as prompt tokens.
	assert.EqualValues(t, 7, res.Usage.PromptTokens)
	assert.EqualValues(t, 2, res.Usage.PromptTokensDetails.CachedTokens)
	assert.EqualValues(t, 4, res.Usage.CompletionTokens)
	assert.EqualValues(t, 11, res.Usage.TotalTokens)
	assert.Contains(t, res.JSON.ExtraFields, "model_selection_details")

	reqs := f.anthropic.RequestsFor("claude-x")
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/messages", reqs[0].Path)
	assert.Equal(t, "sk-ant-test", reqs[0].Header.Get("x-api-key"))
	assert.Equal(t, upstream.AnthropicVersion, reqs[0].Header.Get("anthropic-version"))
	sent := decode(t, string(reqs[0].Body))
	assert.Equal(t, "be kind", sent["system"])
	assert.EqualValues(t, upstream.DefaultAnthropicMaxTokens, sent["max_tokens"])

	out := g.outcome(t)
	assert.Equal(t, router.Usage{PromptTokens: 7, CompletionTokens: 4, CachedTokens: 2}, out.Usage)
}

func TestAnthropicToolCallTranslated(t *testing.T) {
	call := &upstreamtest.ToolCall{ID: "toolu_1", Name: "weather", Arguments: `{"city":"Paris","unit":"c"}`}
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.anthropic.Set("claude-x", upstreamtest.Behavior{ToolCall: call})
			g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))
			params := claudeParams
			params.Tools = []openai.ChatCompletionToolUnionParam{openai.ChatCompletionFunctionTool(openai.FunctionDefinitionParam{Name: "weather"})}
			c := sdkClient(g)
			var msg openai.ChatCompletionMessage
			var finish string
			if stream {
				s := c.Chat.Completions.NewStreaming(context.Background(), params)
				acc := openai.ChatCompletionAccumulator{}
				for s.Next() {
					acc.AddChunk(s.Current())
				}
				require.NoError(t, s.Err())
				msg, finish = acc.Choices[0].Message, acc.Choices[0].FinishReason
			} else {
				res, err := c.Chat.Completions.New(context.Background(), params)
				require.NoError(t, err)
				msg, finish = res.Choices[0].Message, res.Choices[0].FinishReason
			}
			assert.Equal(t, "tool_calls", finish)
			require.Len(t, msg.ToolCalls, 1)
			assert.Equal(t, "toolu_1", msg.ToolCalls[0].ID)
			assert.Equal(t, "weather", msg.ToolCalls[0].Function.Name)
			assert.JSONEq(t, call.Arguments, msg.ToolCalls[0].Function.Arguments)
			sent := decode(t, string(f.anthropic.Requests()[0].Body))
			assert.Equal(t, "weather", sent["tools"].([]any)[0].(map[string]any)["name"])
			g.outcome(t)
		})
	}
}

func TestAnthropicStreamTranslated(t *testing.T) {
	f := newFakes(t)
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))
	params := claudeParams
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	c := sdkClient(g)
	s := c.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	chunks := 0
	for s.Next() {
		chunk := s.Current()
		assert.Equal(t, "chat.completion.chunk", string(chunk.Object))
		assert.Equal(t, "claude-x-id", chunk.Model)
		acc.AddChunk(chunk)
		chunks++
	}
	require.NoError(t, s.Err())
	assert.Equal(t, "Hello from claude-x.", acc.Choices[0].Message.Content)
	assert.Equal(t, "stop", acc.Choices[0].FinishReason)
	assert.Equal(t, 6, chunks, "role, 3 words, finish, usage")
	assert.EqualValues(t, 5, acc.Usage.PromptTokens)
	assert.EqualValues(t, 3, acc.Usage.CompletionTokens)

	out := g.outcome(t)
	assert.Equal(t, router.Usage{PromptTokens: 5, CompletionTokens: 3}, out.Usage)
	assert.Equal(t, 200, out.Status)
	assert.Equal(t, true, decode(t, string(f.anthropic.Requests()[0].Body))["stream"])
}

func TestAnthropicStreamRawFrames(t *testing.T) {
	f := newFakes(t)
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"))
	_, _, body := g.post(t, "/chat/completions", streamBody)
	frames := dataFrames(t, body)
	require.Len(t, frames, 6, "role, 3 words, finish, [DONE]: no usage chunk unless asked")
	assert.Equal(t, "[DONE]", frames[5])
	assert.Contains(t, decode(t, frames[0]), "model_selection_details")
	assert.NotContains(t, decode(t, frames[1]), "model_selection_details")
	assert.NotContains(t, string(body), `"usage"`)
	g.outcome(t)
}

func TestAnthropicStreamCutAndFailover(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{CutAfter: 4})
	f.anthropic.Set("claude-y", upstreamtest.Behavior{FailStatus: 529})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-y"), anthropicModel("claude-x"), openAIModel("model-a"))
	_, _, body := g.post(t, "/chat/completions", streamBody)
	frames := dataFrames(t, body)
	// message_start and content_block_delta "Hello " made it; ping and
	// content_block_start add nothing.
	require.Len(t, frames, 3, string(body))
	assert.Equal(t, "claude-x-id", decode(t, frames[0])["model"])
	assert.Contains(t, decode(t, frames[2]), "error")
	out := g.outcome(t)
	assert.Equal(t, 502, out.Status)
	require.Len(t, out.Attempts, 2)
	assert.Equal(t, 529, out.Attempts[0].Status)
	assert.Empty(t, f.openai.Requests())
}

func TestAnthropicClientErrorInOpenAIShape(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{FailStatus: 400})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"), openAIModel("model-a"))
	status, _, body := g.post(t, "/chat/completions", chatBody)
	assert.Equal(t, 400, status)
	assert.JSONEq(t, `{"error":{"message":"forced failure 400 for claude-x","type":"invalid_request_error","param":null,"code":null}}`, string(body))
	assert.Empty(t, f.openai.Requests())
	g.outcome(t)
}

func TestAnthropicUntranslatableRequestFailsOver(t *testing.T) {
	f := newFakes(t)
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, anthropicModel("claude-x"), openAIModel("model-a"))
	status, _, body := g.post(t, "/chat/completions",
		`{"model":"router","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}`)
	require.Equal(t, 200, status, string(body))
	assert.Empty(t, f.anthropic.Requests())
	out := g.outcome(t)
	assert.Equal(t, "model-a-id", out.Answered.ID)
	assert.Contains(t, out.Attempts[0].Error, `content part "input_audio" is not supported`)
}
