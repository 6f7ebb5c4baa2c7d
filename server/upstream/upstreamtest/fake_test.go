package upstreamtest_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The official SDKs parse the fakes' answers: proof the wire shapes are real.

func openAIClient(f *upstreamtest.Fake) openai.Client {
	return openai.NewClient(option.WithBaseURL(f.URL), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
}

func TestOpenAIChatWithSDK(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("gpt-x", upstreamtest.Behavior{Reply: "four words of reply", ReasoningTokens: 3, CachedTokens: 1})
	c := openAIClient(f)

	res, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "gpt-x",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("be brief"), openai.UserMessage("what is two plus two")},
	})
	require.NoError(t, err)
	assert.Equal(t, "gpt-x", res.Model)
	assert.Equal(t, "four words of reply", res.Choices[0].Message.Content)
	assert.Equal(t, "stop", res.Choices[0].FinishReason)
	assert.EqualValues(t, 7, res.Usage.PromptTokens, "2 system words + 5 user words")
	assert.EqualValues(t, 4+3, res.Usage.CompletionTokens)
	assert.EqualValues(t, 3, res.Usage.CompletionTokensDetails.ReasoningTokens)
	assert.EqualValues(t, 1, res.Usage.PromptTokensDetails.CachedTokens)

	reqs := f.RequestsFor("gpt-x")
	require.Len(t, reqs, 1)
	assert.Equal(t, "Bearer sk-test", reqs[0].Header.Get("Authorization"))
	assert.Contains(t, string(reqs[0].Body), `"what is two plus two"`)
}

func TestOpenAIChatStreamWithSDK(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	c := openAIClient(f)
	stream := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model:         "gpt-y",
		Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi there")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello from gpt-y.", acc.Choices[0].Message.Content)
	assert.Equal(t, "gpt-y", acc.Model)
	assert.EqualValues(t, 2, acc.Usage.PromptTokens)
	assert.EqualValues(t, 3, acc.Usage.CompletionTokens)
}

// A refusal comes in message.refusal, or in delta.refusal chunks that add
// up to it, with no text, as OpenAI's models decline.
func TestOpenAIChatRefusalWithSDK(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	const refusal = "I can't help with that."
	f.Set("gpt-x", upstreamtest.Behavior{Refusal: refusal})
	c := openAIClient(f)
	params := openai.ChatCompletionNewParams{Model: "gpt-x", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}

	res, err := c.Chat.Completions.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, refusal, res.Choices[0].Message.Refusal)
	assert.Empty(t, res.Choices[0].Message.Content)
	assert.EqualValues(t, 5, res.Usage.CompletionTokens)

	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var streamed, text string
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			streamed += ch.Delta.Refusal
			text += ch.Delta.Content
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, refusal, streamed)
	assert.Empty(t, text)
}

func TestResponsesWithSDK(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	c := openAIClient(f)
	params := responses.ResponseNewParams{
		Model: "gpt-r",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("one two three")},
	}
	res, err := c.Responses.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "Hello from gpt-r.", res.OutputText())
	assert.EqualValues(t, 3, res.Usage.InputTokens)

	stream := c.Responses.NewStreaming(context.Background(), params)
	var text strings.Builder
	var done bool
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			done = true
			assert.EqualValues(t, 3, ev.Response.Usage.InputTokens)
		}
	}
	require.NoError(t, stream.Err())
	assert.True(t, done)
	assert.Equal(t, "Hello from gpt-r.", text.String())
}

func anthropicClient(f *upstreamtest.Fake) anthropic.Client {
	return anthropic.NewClient(aoption.WithBaseURL(f.Root), aoption.WithAPIKey("sk-ant"), aoption.WithMaxRetries(0))
}

func TestAnthropicWithSDK(t *testing.T) {
	f := upstreamtest.NewAnthropic(t)
	c := anthropicClient(f)
	params := anthropic.MessageNewParams{
		Model: "claude-x", MaxTokens: 100,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello you"))},
	}
	res, err := c.Messages.New(context.Background(), params)
	require.NoError(t, err)
	assert.Equal(t, "claude-x", string(res.Model))
	assert.Equal(t, "Hello from claude-x.", res.Content[0].Text)
	assert.EqualValues(t, 2, res.Usage.InputTokens)
	assert.EqualValues(t, 3, res.Usage.OutputTokens)
	assert.NotEmpty(t, f.Requests()[0].Header.Get("anthropic-version"))

	stream := c.Messages.NewStreaming(context.Background(), params)
	msg := anthropic.Message{}
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello from claude-x.", msg.Content[0].Text)
	assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
	assert.EqualValues(t, 3, msg.Usage.OutputTokens)
}

func TestAnthropicRejectsWhatTheRealAPIRejects(t *testing.T) {
	f := upstreamtest.NewAnthropic(t)
	tests := []struct {
		name, body string
		version    bool
	}{
		{"no version header", `{"model":"c","max_tokens":5,"messages":[{"role":"user","content":"x"}]}`, false},
		{"no max_tokens", `{"model":"c","messages":[{"role":"user","content":"x"}]}`, true},
		{"system role in messages", `{"model":"c","max_tokens":5,"messages":[{"role":"system","content":"x"}]}`, true},
		{"no messages", `{"model":"c","max_tokens":5,"messages":[]}`, true},
		{"email address as user_id", `{"model":"c","max_tokens":5,"metadata":{"user_id":"alice@example.com"},"messages":[{"role":"user","content":"x"}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", f.URL+"/messages", strings.NewReader(tt.body))
			if tt.version {
				req.Header.Set("anthropic-version", "2023-06-01")
			}
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			assert.Equal(t, 400, res.StatusCode)
			assert.Contains(t, string(body), `"invalid_request_error"`)
		})
	}
}

func post(t *testing.T, ctx context.Context, url, body string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "POST", url, strings.NewReader(body))
	require.NoError(t, err)
	return http.DefaultClient.Do(req)
}

func TestFailNTimesThenSucceed(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("m", upstreamtest.Behavior{FailStatus: 503, FailTimes: 2})
	body := `{"model":"m","messages":[{"role":"user","content":"x"}]}`
	var got []int
	for range 3 {
		res, err := post(t, context.Background(), f.URL+"/chat/completions", body)
		require.NoError(t, err)
		res.Body.Close()
		got = append(got, res.StatusCode)
	}
	assert.Equal(t, []int{503, 503, 200}, got)
}

func TestStallUntilCancelled(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("slow", upstreamtest.Behavior{Stall: true})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := post(t, ctx, f.URL+"/chat/completions", `{"model":"slow","messages":[]}`)
	require.Error(t, err)
	assert.True(t, f.WaitCancelled("slow", 1, 2*time.Second))
}

func TestCutStreamAfterK(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("cut", upstreamtest.Behavior{CutAfter: 2})
	res, err := post(t, context.Background(), f.URL+"/chat/completions",
		`{"model":"cut","stream":true,"messages":[{"role":"user","content":"x"}]}`)
	require.NoError(t, err)
	defer res.Body.Close()
	events := 0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data: ") {
			events++
		}
	}
	assert.Equal(t, 2, events)
	assert.True(t, errors.Is(sc.Err(), io.ErrUnexpectedEOF), "a cut is a broken connection, got %v", sc.Err())
}

// A NoStreaming model answers a streaming request as a non-streaming one:
// one JSON body, as servers that ignore `stream` do.
func TestNoStreamingAnswersAStreamingRequestInJSON(t *testing.T) {
	o, a := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	o.Set("gpt-x", upstreamtest.Behavior{NoStreaming: true})
	a.Set("claude-x", upstreamtest.Behavior{NoStreaming: true})
	for _, tc := range []struct{ url, body, want string }{
		{o.URL + "/chat/completions", `{"model":"gpt-x","stream":true,"messages":[{"role":"user","content":"x"}]}`, `"object":"chat.completion"`},
		{o.URL + "/responses", `{"model":"gpt-x","stream":true,"input":"x"}`, `"object":"response"`},
		{a.Root + "/v1/messages", `{"model":"claude-x","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"x"}]}`, `"type":"message"`},
	} {
		req, err := http.NewRequest(http.MethodPost, tc.url, strings.NewReader(tc.body))
		require.NoError(t, err)
		req.Header.Set("anthropic-version", "2023-06-01")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, "application/json", res.Header.Get("Content-Type"), tc.url)
		assert.Contains(t, string(b), tc.want)
	}
	assert.True(t, o.Requests()[0].Stream, "recorded as the streaming request it was")
}

func TestKeyRequired(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Key = "right"
	c := openai.NewClient(option.WithBaseURL(f.URL), option.WithAPIKey("wrong"), option.WithMaxRetries(0))
	_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "m", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 401, apiErr.StatusCode)
}

func TestToolCallAfterTextWithSDKs(t *testing.T) {
	call := &upstreamtest.ToolCall{ID: "call_1", Name: "weather", Arguments: `{"city":"Paris"}`}
	o, a := upstreamtest.NewOpenAI(t), upstreamtest.NewAnthropic(t)
	o.Set("gpt-x", upstreamtest.Behavior{ToolCall: call, TextFirst: true, Reply: "Let me see.", NoDone: true})
	a.Set("claude-x", upstreamtest.Behavior{ToolCall: call, TextFirst: true, Reply: "Let me see."})

	oc := openAIClient(o)
	stream := oc.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
		Model: "gpt-x", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("weather?")},
	})
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err(), "no [DONE] is a normal end for the SDK")
	require.Equal(t, "Let me see.", acc.Choices[0].Message.Content)
	require.Len(t, acc.Choices[0].Message.ToolCalls, 1)
	require.JSONEq(t, call.Arguments, acc.Choices[0].Message.ToolCalls[0].Function.Arguments, "fragments join up")

	ac := anthropicClient(a)
	s := ac.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model: "claude-x", MaxTokens: 10,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("weather?"))},
	})
	msg := anthropic.Message{}
	for s.Next() {
		require.NoError(t, msg.Accumulate(s.Current()))
	}
	require.NoError(t, s.Err())
	require.Len(t, msg.Content, 2)
	require.Equal(t, "Let me see.", msg.Content[0].Text)
	require.JSONEq(t, call.Arguments, string(msg.Content[1].Input))
}

func TestAnthropicErrorEventWithSDK(t *testing.T) {
	f := upstreamtest.NewAnthropic(t)
	f.Set("claude-x", upstreamtest.Behavior{ErrorAfter: 3})
	c := anthropicClient(f)
	s := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model: "claude-x", MaxTokens: 10,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	for s.Next() {
	}
	require.ErrorContains(t, s.Err(), "overloaded_error")
}

func TestOpenAIRejectsToolMessagesOutOfPlace(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	call := `{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}`
	tool := `{"role":"tool","tool_call_id":"c1","content":"ok"}`
	user := `{"role":"user","content":"x"}`
	for body, want := range map[string]int{
		`[` + user + `,` + call + `,` + tool + `,` + user + `]`: 200,
		`[` + user + `,` + call + `,` + user + `,` + tool + `]`: 400,
		`[` + user + `,` + tool + `]`:                           400,
	} {
		res, err := post(t, context.Background(), f.URL+"/chat/completions", `{"model":"m","messages":`+body+`}`)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, want, res.StatusCode, body)
	}
}

func TestAnthropicThinkingAndStopReasonWithSDK(t *testing.T) {
	f := upstreamtest.NewAnthropic(t)
	f.Set("claude-x", upstreamtest.Behavior{Thinking: "let me think", StopReason: "max_tokens"})
	c := anthropicClient(f)
	params := anthropic.MessageNewParams{
		Model: "claude-x", MaxTokens: 3,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	}
	res, err := c.Messages.New(context.Background(), params)
	require.NoError(t, err)
	require.Len(t, res.Content, 2)
	assert.Equal(t, "thinking", res.Content[0].Type)
	assert.Equal(t, "let me think", res.Content[0].Thinking)
	assert.NotEmpty(t, res.Content[0].Signature)
	assert.Equal(t, "Hello from claude-x.", res.Content[1].Text)
	assert.Equal(t, anthropic.StopReasonMaxTokens, res.StopReason)

	stream := c.Messages.NewStreaming(context.Background(), params)
	msg := anthropic.Message{}
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	require.Len(t, msg.Content, 2)
	assert.Equal(t, "let me think", msg.Content[0].Thinking)
	assert.NotEmpty(t, msg.Content[0].Signature)
	assert.Equal(t, "Hello from claude-x.", msg.Content[1].Text)
	assert.Equal(t, anthropic.StopReasonMaxTokens, msg.StopReason)
}
