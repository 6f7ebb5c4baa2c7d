package upstream_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A provider that answers a streaming request in JSON: the SDK's
// accumulated stream holds what the same SDK reads from the JSON answer,
// for answers beyond one choice of plain text.

// jsonAnswering is a gateway in front of a provider of kind that answers
// every request, streaming or not, with body.
func jsonAnswering(t *testing.T, kind string, api upstream.API, body string) *gateway {
	m := newMisbehaving(t, kind, writes(http.StatusOK, "application/json", body))
	return newGateway(t, m.fwd, api, m.bad)
}

func chatStreamAndJSON(t *testing.T, g *gateway, params openai.ChatCompletionNewParams) (openai.ChatCompletionAccumulator, *openai.ChatCompletion) {
	t.Helper()
	c := sdkClient(g)
	s := c.Chat.Completions.NewStreaming(context.Background(), params)
	acc := openai.ChatCompletionAccumulator{}
	for s.Next() {
		require.True(t, acc.AddChunk(s.Current()), "the accumulator refused chunk %s", s.Current().RawJSON())
	}
	require.NoError(t, s.Err())
	g.outcome(t)
	res, err := c.Chat.Completions.New(context.Background(), params)
	require.NoError(t, err)
	g.outcome(t)
	return acc, res
}

func TestChatStreamOfAJSONAnswerKeepsEveryChoice(t *testing.T) {
	const body = `{"id":"x","object":"chat.completion","created":1,"model":"p","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":"first"},"finish_reason":"stop"},` +
		`{"index":1,"message":{"role":"assistant","content":"second"},"finish_reason":"length"}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIChatCompletions, body)
	params := claudeParams
	params.N = openai.Int(2)
	acc, res := chatStreamAndJSON(t, g, params)
	require.Len(t, acc.Choices, len(res.Choices))
	for i := range res.Choices {
		assert.Equal(t, res.Choices[i].Message.Content, acc.Choices[i].Message.Content, "choice %d", i)
		assert.Equal(t, res.Choices[i].FinishReason, acc.Choices[i].FinishReason, "choice %d", i)
	}
}

func TestChatStreamOfAJSONAnswerKeepsParallelToolCalls(t *testing.T) {
	const body = `{"id":"x","object":"chat.completion","created":1,"model":"p","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[` +
		`{"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},` +
		`{"id":"call_b","type":"function","function":{"name":"time","arguments":"{\"tz\":\"CET\"}"}},` +
		`{"id":"call_c","type":"function","function":{"name":"weather","arguments":"{}"}}]},"finish_reason":"tool_calls"}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIChatCompletions, body)
	acc, res := chatStreamAndJSON(t, g, claudeParams)
	require.Len(t, acc.Choices, 1)
	got, want := acc.Choices[0].Message.ToolCalls, res.Choices[0].Message.ToolCalls
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].ID, got[i].ID)
		assert.Equal(t, want[i].Function.Name, got[i].Function.Name)
		assert.Equal(t, want[i].Function.Arguments, got[i].Function.Arguments)
	}
	assert.Equal(t, "", acc.Choices[0].Message.Content)
}

func TestChatStreamOfAJSONAnswerKeepsARefusalAndLogprobs(t *testing.T) {
	const body = `{"id":"x","object":"chat.completion","created":1,"model":"p","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},` +
		`"logprobs":{"content":null,"refusal":[{"token":"I","logprob":-0.1,"bytes":[73],"top_logprobs":[]}]},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIChatCompletions, body)
	acc, res := chatStreamAndJSON(t, g, claudeParams)
	require.Len(t, acc.Choices, 1)
	assert.Equal(t, res.Choices[0].Message.Refusal, acc.Choices[0].Message.Refusal)
	assert.Equal(t, len(res.Choices[0].Logprobs.Refusal), len(acc.Choices[0].Logprobs.Refusal))
}

func TestChatStreamOfAJSONAnswerKeepsContentLogprobs(t *testing.T) {
	const body = `{"id":"x","object":"chat.completion","created":1,"model":"p","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":"Hi"},` +
		`"logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]}],"refusal":null},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIChatCompletions, body)
	acc, res := chatStreamAndJSON(t, g, claudeParams)
	require.Len(t, acc.Choices, 1)
	assert.Equal(t, "Hi", acc.Choices[0].Message.Content)
	require.Len(t, acc.Choices[0].Logprobs.Content, len(res.Choices[0].Logprobs.Content))
}

func TestResponsesStreamOfAnIncompleteJSONAnswerEndsIncomplete(t *testing.T) {
	const body = `{"id":"resp_1","object":"response","created_at":1,"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"p","output":[` +
		`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking about it"}]},` +
		`{"type":"function_call","id":"fc_1","call_id":"call_1","name":"lookup","arguments":"{\"q\":\"x\"}","status":"completed"},` +
		`{"type":"message","id":"msg_1","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"Partial","annotations":[]}]}],` +
		`"usage":{"input_tokens":1,"output_tokens":3,"total_tokens":4}}`
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIResponses, body)
	c := sdkClient(g)
	evs, err := streamEvents(t, c, lookupParams())
	require.NoError(t, err)
	g.outcome(t)
	streamed := final(t, evs, "response.incomplete")
	res, err := c.Responses.New(context.Background(), lookupParams())
	require.NoError(t, err)
	g.outcome(t)
	assert.Equal(t, res.Status, streamed.Status)
	assert.Equal(t, res.IncompleteDetails.Reason, streamed.IncompleteDetails.Reason)
	require.Len(t, streamed.Output, 3)
	assert.Equal(t, "reasoning", streamed.Output[0].Type)
	assert.Equal(t, "Partial", streamed.OutputText())
	assert.Equal(t, "Partial", deltas(evs, "response.output_text.delta"))
	var added []responses.ResponseOutputItemUnion
	for _, ev := range evs {
		if ev.Type == "response.output_item.added" {
			added = append(added, ev.Item)
		}
	}
	require.Len(t, added, 3)
	assert.Equal(t, "in_progress", added[2].Status)
}

func TestMessagesStreamOfAJSONAnswerKeepsSeveralToolUses(t *testing.T) {
	const body = `{"id":"x","object":"chat.completion","created":1,"model":"p","choices":[` +
		`{"index":0,"message":{"role":"assistant","content":"","tool_calls":[` +
		`{"id":"call_a","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},` +
		`{"id":"call_b","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]},"finish_reason":"tool_calls"}],` +
		`"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIMessages, body)
	c := messagesClient(g)
	streamed, err := accumulate(t, c, weatherParams())
	require.NoError(t, err)
	g.outcome(t)
	res, err := c.Messages.New(context.Background(), weatherParams())
	require.NoError(t, err)
	g.outcome(t)
	require.Len(t, streamed.Content, len(res.Content), "%s", streamed.RawJSON())
	for i, want := range res.Content {
		assert.Equal(t, want.Type, streamed.Content[i].Type)
		if want.Type == "tool_use" {
			assert.JSONEq(t, string(want.Input), string(streamed.Content[i].Input))
		}
	}
	assert.Equal(t, anthropic.StopReasonToolUse, streamed.StopReason)
	assert.Equal(t, res.Usage.OutputTokens, streamed.Usage.OutputTokens)
	assert.Equal(t, res.Usage.InputTokens, streamed.Usage.InputTokens)
}

func TestChatStreamOfAClaudeJSONAnswerKeepsThinkingAndToolUses(t *testing.T) {
	const body = `{"id":"msg_1","type":"message","role":"assistant","model":"p","content":[` +
		`{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Checking."},` +
		`{"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris"}},` +
		`{"type":"tool_use","id":"toolu_2","name":"weather","input":{"city":"Rome"}}],` +
		`"stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":7,"cache_read_input_tokens":2}}`
	g := jsonAnswering(t, upstream.KindAnthropic, upstream.APIChatCompletions, body)
	params := claudeParams
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	acc, res := chatStreamAndJSON(t, g, params)
	require.Len(t, acc.Choices, 1)
	assert.Equal(t, res.Choices[0].Message.Content, acc.Choices[0].Message.Content)
	require.Len(t, acc.Choices[0].Message.ToolCalls, 2)
	assert.Equal(t, res.Choices[0].Message.ToolCalls[1].Function.Arguments, acc.Choices[0].Message.ToolCalls[1].Function.Arguments)
	assert.Equal(t, res.Usage.PromptTokens, acc.Usage.PromptTokens)
	assert.Equal(t, res.Usage.PromptTokensDetails.CachedTokens, acc.Usage.PromptTokensDetails.CachedTokens)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.Choices[0].Message.RawJSON()), &raw))
	t.Logf("json message: %s", res.Choices[0].Message.RawJSON())
}
