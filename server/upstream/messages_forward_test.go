package upstream_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// messagesClient is the official Anthropic SDK pointed at the gateway.
func messagesClient(g *gateway, opts ...aoption.RequestOption) anthropic.Client {
	return anthropic.NewClient(append([]aoption.RequestOption{
		aoption.WithBaseURL(g.Root), aoption.WithAPIKey("client-key"), aoption.WithMaxRetries(0),
	}, opts...)...)
}

var helloParams = anthropic.MessageNewParams{
	Model: "router", MaxTokens: 100,
	System:   []anthropic.TextBlockParam{{Text: "be kind"}},
	Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hello there claude"))},
}

var weatherCall = &upstreamtest.ToolCall{ID: "call_1", Name: "weather", Arguments: `{"city":"Paris","unit":"c"}`}

func weatherParams() anthropic.MessageNewParams {
	p := helloParams
	p.Tools = []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
		Name: "weather", InputSchema: anthropic.ToolInputSchemaParam{Properties: map[string]any{"city": map[string]any{"type": "string"}}},
	}}}
	return p
}

// selectionOf reads the model_selection_details of an SDK message.
func selectionOf(t *testing.T, msg anthropic.Message) selection {
	t.Helper()
	f, ok := msg.JSON.ExtraFields["model_selection_details"]
	require.True(t, ok, "no model_selection_details in %s", msg.RawJSON())
	var s selection
	require.NoError(t, json.Unmarshal([]byte(f.Raw()), &s))
	return s
}

// accumulate reads a whole stream with the SDK into one message.
func accumulate(t *testing.T, c anthropic.Client, params anthropic.MessageNewParams) (anthropic.Message, error) {
	t.Helper()
	s := c.Messages.NewStreaming(context.Background(), params)
	msg := anthropic.Message{}
	for s.Next() {
		require.NoError(t, msg.Accumulate(s.Current()))
	}
	return msg, s.Err()
}

// helloMessage sends helloParams with c, streamed (read whole with
// accumulate) or not, and returns the answer.
func helloMessage(t *testing.T, c anthropic.Client, stream bool) anthropic.Message {
	t.Helper()
	if stream {
		msg, err := accumulate(t, c, helloParams)
		require.NoError(t, err)
		return msg
	}
	res, err := c.Messages.New(context.Background(), helloParams)
	require.NoError(t, err)
	return *res
}

func TestMessagesNativeToAnthropic(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{Reply: "Hi, I am Claude.", CachedTokens: 2})
	g := newGateway(t, f.fwd, upstream.APIMessages, anthropicModel("claude-x"))

	c := messagesClient(g, aoption.WithHeaderAdd("anthropic-beta", "beta-one"), aoption.WithHeaderAdd("anthropic-beta", "beta-two"))
	msg, err := c.Messages.New(context.Background(), helloParams,
		aoption.WithJSONSet("routing_config", map[string]any{"mode": "cost"}), aoption.WithJSONSet("top_k", 7))
	require.NoError(t, err)
	require.Equal(t, "claude-x-id", string(msg.Model))
	require.Equal(t, "Hi, I am Claude.", msg.Content[0].Text)
	require.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
	// The fake counts 5 prompt words and 2 cache reads, which Anthropic
	// leaves out of input_tokens.
	require.EqualValues(t, 5, msg.Usage.InputTokens)
	require.EqualValues(t, 2, msg.Usage.CacheReadInputTokens)
	require.EqualValues(t, 4, msg.Usage.OutputTokens)
	require.Equal(t, "claude-x-id", selectionOf(t, *msg).Answered)

	reqs := f.anthropic.RequestsFor("claude-x")
	require.Len(t, reqs, 1)
	require.Equal(t, "/v1/messages", reqs[0].Path)
	require.Equal(t, "sk-ant-test", reqs[0].Header.Get("x-api-key"), "the provider key, not the client's")
	require.Equal(t, []string{"beta-one", "beta-two"}, reqs[0].Header.Values("anthropic-beta"))
	sent := members(t, reqs[0].Body)
	require.Equal(t, `"claude-x"`, sent["model"])
	require.NotContains(t, sent, "routing_config")
	require.Equal(t, "7", sent["top_k"])
	require.Equal(t, "100", sent["max_tokens"])

	out := g.outcome(t)
	require.Equal(t, 200, out.Status)
	require.Equal(t, router.Usage{PromptTokens: 7, CompletionTokens: 4, CachedTokens: 2}, out.Usage)
}

func TestMessagesNativeKeepsBytes(t *testing.T) {
	f := newFakes(t)
	claude := anthropicModel("claude-x")
	claude.Capabilities.Reasoning = true // loses the sampling parameters
	g := newGateway(t, f.fwd, upstream.APIMessages, claude)
	status, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":64,"temperature":0.3,
		"metadata": {"user_id" : "u<1>"},"messages":[{"role":"user","content":"hi \u00e9"}],"routing_config":{}}`)
	require.Equal(t, 200, status, string(body))
	sent := members(t, f.anthropic.RequestsFor("claude-x")[0].Body)
	require.Equal(t, `{"user_id" : "u<1>"}`, sent["metadata"])
	require.Equal(t, `[{"role":"user","content":"hi \u00e9"}]`, sent["messages"])
	require.Equal(t, "64", sent["max_tokens"], "the Messages API has no max_completion_tokens")
	require.NotContains(t, sent, "max_completion_tokens")
	require.NotContains(t, sent, "temperature")
	require.NotContains(t, sent, "routing_config")
	g.outcome(t)
}

func TestMessagesNativeStream(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{ToolCall: weatherCall, TextFirst: true, Reply: "Let me check."})
	g := newGateway(t, f.fwd, upstream.APIMessages, anthropicModel("claude-x"))

	msg, err := accumulate(t, messagesClient(g), weatherParams())
	require.NoError(t, err)
	require.Equal(t, "claude-x-id", string(msg.Model))
	require.Len(t, msg.Content, 2)
	require.Equal(t, "Let me check.", msg.Content[0].Text)
	require.Equal(t, "tool_use", msg.Content[1].Type)
	require.Equal(t, "call_1", msg.Content[1].ID)
	require.JSONEq(t, weatherCall.Arguments, string(msg.Content[1].Input))
	require.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
	require.EqualValues(t, 5, msg.Usage.InputTokens)
	require.EqualValues(t, 3+1, msg.Usage.OutputTokens, "reply words and argument words")
	out := g.outcome(t)
	require.Equal(t, router.Usage{PromptTokens: 5, CompletionTokens: 4}, out.Usage)
	require.True(t, f.anthropic.Requests()[0].Stream)

	// On the wire: every event as the provider named it (ping included),
	// the details on the first only.
	_, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	names, frames := eventNames(body), dataFrames(t, body)
	require.Equal(t, []string{"message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
		"content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
		"content_block_stop", "message_delta", "message_stop"}, names)
	first := decode(t, frames[0])
	require.Contains(t, first, "model_selection_details")
	require.Equal(t, "claude-x-id", first["message"].(map[string]any)["model"])
	for _, fr := range frames[1:] {
		require.NotContains(t, fr, "model_selection_details")
	}
	g.outcome(t)
}

// eventNames lists the `event:` names of an SSE body in order.
func eventNames(body []byte) []string {
	var out []string
	for line := range strings.Lines(string(body)) {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "event: "); ok {
			out = append(out, name)
		}
	}
	return out
}

func TestMessagesTranslatedToOpenAI(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{ToolCall: weatherCall, TextFirst: true, Reply: "Let me check.", CachedTokens: 2})
	g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))

	params := weatherParams()
	params.StopSequences = []string{"STOP"}
	params.Metadata = anthropic.MetadataParam{UserID: anthropic.String("user-7")}
	params.Messages = append(params.Messages,
		anthropic.NewAssistantMessage(anthropic.NewTextBlock("Checking."), anthropic.NewToolUseBlock("call_0", map[string]any{"city": "Rome"}, "weather")),
		anthropic.NewUserMessage(anthropic.NewToolResultBlock("call_0", "sunny", false),
			anthropic.NewImageBlockBase64("image/png", "iVBORw0K"), anthropic.NewTextBlock("and Paris?")),
	)
	c := messagesClient(g)
	msg, err := c.Messages.New(context.Background(), params)
	require.NoError(t, err)
	require.Equal(t, "msg_chatcmpl-fake", msg.ID)
	require.Equal(t, "model-a-id", string(msg.Model))
	require.Len(t, msg.Content, 2, msg.RawJSON())
	require.Equal(t, "Let me check.", msg.Content[0].Text)
	require.Equal(t, "tool_use", msg.Content[1].Type)
	require.Equal(t, "call_1", msg.Content[1].ID)
	require.Equal(t, "weather", msg.Content[1].Name)
	require.JSONEq(t, weatherCall.Arguments, string(msg.Content[1].Input))
	require.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
	// The fake counts 9 prompt words, 2 of them cached.
	require.EqualValues(t, 7, msg.Usage.InputTokens)
	require.EqualValues(t, 2, msg.Usage.CacheReadInputTokens)
	require.EqualValues(t, 4, msg.Usage.OutputTokens)
	require.Equal(t, "model-a-id", selectionOf(t, *msg).Answered)
	out := g.outcome(t)
	require.Equal(t, router.Usage{PromptTokens: 9, CompletionTokens: 4, CachedTokens: 2}, out.Usage)

	reqs := f.openai.RequestsFor("model-a")
	require.Len(t, reqs, 1)
	require.Equal(t, "/v1/chat/completions", reqs[0].Path)
	require.Equal(t, "Bearer sk-openai-test", reqs[0].Header.Get("Authorization"))
	require.Empty(t, reqs[0].Header.Get("anthropic-version"))
	var sent struct {
		Messages []struct {
			Role       string          `json:"role"`
			Content    json.RawMessage `json:"content"`
			ToolCallID string          `json:"tool_call_id"`
			ToolCalls  []struct {
				ID       string `json:"id"`
				Type     string `json:"type"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"messages"`
		Stop      []string `json:"stop"`
		User      string   `json:"user"`
		MaxTokens int      `json:"max_tokens"`
		Tools     []struct {
			Type     string `json:"type"`
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	var roles []string
	for _, m := range sent.Messages {
		roles = append(roles, m.Role)
	}
	require.Equal(t, []string{"system", "user", "assistant", "tool", "user"}, roles)
	require.JSONEq(t, `"be kind"`, string(sent.Messages[0].Content))
	require.JSONEq(t, `"Checking."`, string(sent.Messages[2].Content))
	require.Len(t, sent.Messages[2].ToolCalls, 1)
	tc := sent.Messages[2].ToolCalls[0]
	require.Equal(t, "call_0", tc.ID)
	require.Equal(t, "function", tc.Type)
	require.Equal(t, "weather", tc.Function.Name)
	require.JSONEq(t, `{"city":"Rome"}`, tc.Function.Arguments)
	require.Equal(t, "call_0", sent.Messages[3].ToolCallID)
	require.JSONEq(t, `"sunny"`, string(sent.Messages[3].Content))
	require.JSONEq(t, `[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}},{"type":"text","text":"and Paris?"}]`,
		string(sent.Messages[4].Content))
	require.Equal(t, []string{"STOP"}, sent.Stop)
	require.Equal(t, "user-7", sent.User)
	require.Equal(t, 100, sent.MaxTokens)
	require.Len(t, sent.Tools, 1)
	require.Equal(t, "function", sent.Tools[0].Type)
	require.Equal(t, "weather", sent.Tools[0].Function.Name)
	require.Contains(t, string(sent.Tools[0].Function.Parameters), `"city"`)
}

func TestMessagesStopReasons(t *testing.T) {
	tests := []struct {
		finish string
		call   bool
		want   anthropic.StopReason
	}{
		{"stop", false, anthropic.StopReasonEndTurn},
		{"length", false, anthropic.StopReasonMaxTokens},
		{"content_filter", false, anthropic.StopReasonRefusal},
		{"tool_calls", true, anthropic.StopReasonToolUse},
		{"function_call", true, anthropic.StopReasonToolUse},
		{"something_new", false, anthropic.StopReasonEndTurn},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(tt.finish+map[bool]string{false: "/json", true: "/stream"}[stream], func(t *testing.T) {
				f := newFakes(t)
				b := upstreamtest.Behavior{FinishReason: tt.finish}
				if tt.call {
					b.ToolCall = weatherCall
				}
				f.openai.Set("model-a", b)
				g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))
				c := messagesClient(g)
				var msg anthropic.Message
				var err error
				if stream {
					msg, err = accumulate(t, c, weatherParams())
				} else {
					var res *anthropic.Message
					res, err = c.Messages.New(context.Background(), weatherParams())
					if res != nil {
						msg = *res
					}
				}
				require.NoError(t, err)
				require.Equal(t, tt.want, msg.StopReason)
				if tt.call {
					require.Len(t, msg.Content, 1, "no empty text block before a tool call")
					require.Equal(t, "tool_use", msg.Content[0].Type)
				} else {
					require.Equal(t, "Hello from model-a.", msg.Content[0].Text)
				}
				g.outcome(t)
			})
		}
	}
}

func TestMessagesTranslatedStream(t *testing.T) {
	tests := []struct {
		name            string
		noDone, noUsage bool
	}{
		{"usage then [DONE]", false, false},
		{"usage, no [DONE]", true, false},
		{"no usage, [DONE]", false, true},
		// With neither usage nor [DONE] the stream was cut after the
		// finish reason (TestStreamEndedBeforeItsProvidersEnd).
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("model-a", upstreamtest.Behavior{ToolCall: weatherCall, TextFirst: true, Reply: "Let me check.",
				NoDone: tt.noDone, NoStreamUsage: tt.noUsage})
			g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))
			want := router.Usage{PromptTokens: 5, CompletionTokens: 4}
			if tt.noUsage {
				want = router.Usage{}
			}

			msg, err := accumulate(t, messagesClient(g), weatherParams())
			require.NoError(t, err)
			require.Equal(t, "model-a-id", string(msg.Model))
			require.True(t, strings.HasPrefix(msg.ID, "msg_"), msg.ID)
			require.Len(t, msg.Content, 2, msg.RawJSON())
			require.Equal(t, "Let me check.", msg.Content[0].Text)
			require.Equal(t, "tool_use", msg.Content[1].Type)
			require.Equal(t, "call_1", msg.Content[1].ID)
			require.Equal(t, "weather", msg.Content[1].Name)
			require.JSONEq(t, weatherCall.Arguments, string(msg.Content[1].Input))
			require.Equal(t, anthropic.StopReasonToolUse, msg.StopReason)
			require.EqualValues(t, want.PromptTokens, msg.Usage.InputTokens, "input tokens come with message_delta")
			out := g.outcome(t)
			if tt.noUsage {
				// No count came: the client gets the answer the stream
				// carried, counted as the log's estimate counts it, not 0.
				require.Positive(t, out.TextTokens)
				require.EqualValues(t, out.TextTokens, msg.Usage.OutputTokens)
			} else {
				require.EqualValues(t, want.CompletionTokens, msg.Usage.OutputTokens)
			}
			require.Equal(t, 200, out.Status)
			require.NoError(t, out.Err)
			require.Equal(t, want, out.Usage)
			sent := members(t, f.openai.RequestsFor("model-a")[0].Body)
			require.Equal(t, "true", sent["stream"])
			require.JSONEq(t, `{"include_usage":true}`, sent["stream_options"])

			_, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
			require.Equal(t, []string{"message_start", "content_block_start", "content_block_delta", "content_block_delta",
				"content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
				"content_block_stop", "message_delta", "message_stop"}, eventNames(body), string(body))
			frames := dataFrames(t, body)
			// The tool call's input goes on as its fragments came, the
			// first before the model sent the second, byte for byte.
			half := len(weatherCall.Arguments) / 2
			for i, want := range []string{weatherCall.Arguments[:half], weatherCall.Arguments[half:]} {
				delta := decode(t, frames[7+i])["delta"].(map[string]any)
				require.Equal(t, map[string]any{"type": "input_json_delta", "partial_json": want}, delta)
			}
			first := decode(t, frames[0])
			require.Contains(t, first, "model_selection_details")
			require.Equal(t, "message_start", first["type"])
			for _, fr := range frames[1:] {
				require.NotContains(t, fr, "model_selection_details")
			}
			require.Equal(t, 200, g.outcome(t).Status)
		})
	}
}

func TestMessagesStreamCut(t *testing.T) {
	for _, kind := range []string{"anthropic", "openai"} {
		t.Run(kind, func(t *testing.T) {
			f := newFakes(t)
			m := openAIModel("model-a")
			f.openai.Set("model-a", upstreamtest.Behavior{CutAfter: 2})
			if kind == "anthropic" {
				m = anthropicModel("claude-x")
				f.anthropic.Set("claude-x", upstreamtest.Behavior{CutAfter: 4})
			}
			g := newGateway(t, f.fwd, upstream.APIMessages, m, openAIModel("model-b"))

			msg, err := accumulate(t, messagesClient(g), helloParams)
			var apiErr *anthropic.Error
			require.ErrorAs(t, err, &apiErr)
			require.Contains(t, apiErr.Error(), "api_error")
			require.Equal(t, "Hello ", msg.Content[0].Text, "what came before the cut")
			out := g.outcome(t)
			require.Equal(t, 502, out.Status)
			require.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
			require.Len(t, out.Attempts, 1, "nothing fails over once bytes went out")
			require.Empty(t, f.openai.RequestsFor("model-b"))

			_, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
			names, frames := eventNames(body), dataFrames(t, body)
			require.Equal(t, "error", names[len(names)-1])
			require.NotContains(t, names, "message_stop")
			last := decode(t, frames[len(frames)-1])
			require.Equal(t, "error", last["type"])
			e := last["error"].(map[string]any)
			require.Equal(t, "api_error", e["type"])
			require.Contains(t, e["message"], m.ID+" stream broke off")
			require.Equal(t, 1, strings.Count(string(body), "event: error"))
			g.outcome(t)
		})
	}
}

// A provider's own error event mid-stream reaches the client once: an
// Anthropic provider's as it came, an OpenAI-compatible one's message in
// Anthropic's shape.
func TestMessagesStreamErrorEvent(t *testing.T) {
	tests := []struct {
		kind, wantType, wantMsg string
	}{
		{"anthropic", "overloaded_error", "Overloaded"},
		{"openai", "api_error", "sent an error: generation failed"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			f := newFakes(t)
			m := openAIModel("model-a")
			f.openai.Set("model-a", upstreamtest.Behavior{ErrorAfter: 2})
			if tt.kind == "anthropic" {
				m = anthropicModel("claude-x")
				f.anthropic.Set("claude-x", upstreamtest.Behavior{ErrorAfter: 4})
			}
			g := newGateway(t, f.fwd, upstream.APIMessages, m)
			_, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
			require.Equal(t, 1, strings.Count(string(body), "event: error"), string(body))
			frames := dataFrames(t, body)
			e := decode(t, frames[len(frames)-1])["error"].(map[string]any)
			require.Equal(t, tt.wantType, e["type"])
			require.Contains(t, e["message"], tt.wantMsg)
			out := g.outcome(t)
			require.Equal(t, 502, out.Status)
			require.Contains(t, out.Attempts[0].Error, "sent an error")
		})
	}
}

func TestMessagesFailoverAcrossKinds(t *testing.T) {
	tests := []struct {
		name   string
		order  []router.Model
		fail   func(f *fakes)
		status int
	}{
		{"openai fails, anthropic answers", []router.Model{openAIModel("model-a"), anthropicModel("claude-x")},
			func(f *fakes) { f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 503}) }, 503},
		{"anthropic overloaded, openai answers", []router.Model{anthropicModel("claude-x"), openAIModel("model-a")},
			func(f *fakes) { f.anthropic.Set("claude-x", upstreamtest.Behavior{FailStatus: 529}) }, 529},
		// A provider refusing the gateway (its key, its account's models),
		// not the client's request: another model answers.
		{"anthropic rejects the gateway's key, openai answers", []router.Model{anthropicModel("claude-x"), openAIModel("model-a")},
			func(f *fakes) { f.anthropic.Key = "sk-ant-rotated" }, 401},
		{"openai rejects the gateway's key, anthropic answers", []router.Model{openAIModel("model-a"), anthropicModel("claude-x")},
			func(f *fakes) { f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 401}) }, 401},
		{"openai denies the gateway the model, anthropic answers", []router.Model{openAIModel("model-a"), anthropicModel("claude-x")},
			func(f *fakes) { f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 403}) }, 403},
		{"openai does not serve the model, anthropic answers", []router.Model{openAIModel("model-a"), anthropicModel("claude-x")},
			func(f *fakes) { f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 404}) }, 404},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: "/json", true: "/stream"}[stream], func(t *testing.T) {
				f := newFakes(t)
				tt.fail(f)
				g := newGateway(t, f.fwd, upstream.APIMessages, tt.order...)
				c := messagesClient(g)
				msg := helloMessage(t, c, stream)
				second := tt.order[1]
				require.Equal(t, second.ID, string(msg.Model))
				require.Equal(t, "Hello from "+second.Name+".", msg.Content[0].Text)
				if !stream { // a stream's details are on message_start, not in the message
					sel := selectionOf(t, msg)
					require.Equal(t, second.ID, sel.Answered)
					require.Len(t, sel.Attempts, 2)
					require.Equal(t, tt.status, sel.Attempts[0].Status)
				}
				out := g.outcome(t)
				require.Equal(t, second.ID, out.Answered.ID)
				require.Len(t, out.Attempts, 2)
				require.Equal(t, tt.status, out.Attempts[0].Status)
				require.Equal(t, 200, out.Attempts[1].Status)
			})
		}
	}
}

func TestMessagesClientErrorShape(t *testing.T) {
	tests := []struct {
		name   string
		kind   string
		b      upstreamtest.Behavior
		status int
		want   string
	}{
		{"anthropic's own error as it came", "anthropic", upstreamtest.Behavior{FailStatus: 400}, 400,
			`{"type":"error","error":{"type":"invalid_request_error","message":"forced failure 400 for claude-x"}}`},
		{"openai 400", "openai", upstreamtest.Behavior{FailStatus: 400}, 400,
			`{"type":"error","error":{"type":"invalid_request_error","message":"forced failure 400 for model-a"}}`},
		{"openai 409", "openai", upstreamtest.Behavior{FailStatus: 409}, 409,
			`{"type":"error","error":{"type":"invalid_request_error","message":"forced failure 409 for model-a"}}`},
		{"openai 413", "openai", upstreamtest.Behavior{FailStatus: 413}, 413,
			`{"type":"error","error":{"type":"request_too_large","message":"forced failure 413 for model-a"}}`},
		// A 4xx Anthropic's errors page does not list is the type that
		// page gives such statuses, not api_error (its own failures).
		{"openai 422", "openai", upstreamtest.Behavior{FailStatus: 422}, 422,
			`{"type":"error","error":{"type":"invalid_request_error","message":"forced failure 422 for model-a"}}`},
		{"openai non-JSON error page", "openai", upstreamtest.Behavior{FailStatus: 400, FailBody: "bad request page"}, 400,
			`{"type":"error","error":{"type":"invalid_request_error","message":"upstream model-a-id returned HTTP 400: bad request page"}}`},
		{"anthropic non-JSON error page", "anthropic", upstreamtest.Behavior{FailStatus: 413, FailBody: "request entity too large"}, 413,
			`{"type":"error","error":{"type":"request_too_large","message":"upstream claude-x-id returned HTTP 413: request entity too large"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			first := openAIModel("model-a")
			f.openai.Set("model-a", tt.b)
			if tt.kind == "anthropic" {
				first = anthropicModel("claude-x")
				f.anthropic.Set("claude-x", tt.b)
			}
			g := newGateway(t, f.fwd, upstream.APIMessages, first, openAIModel("model-b"))
			status, h, body := g.post(t, "/messages", `{"model":"router","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`)
			require.Equal(t, tt.status, status)
			require.Equal(t, "application/json", h.Get("Content-Type"))
			require.JSONEq(t, tt.want, string(body))
			require.Empty(t, f.openai.RequestsFor("model-b"), "a client error does not fail over")
			out := g.outcome(t)
			require.True(t, out.Wrote)
			require.Equal(t, tt.status, out.Status)

			// The SDK reads it as the API error it is.
			c := messagesClient(g)
			_, err := c.Messages.New(context.Background(), helloParams)
			var apiErr *anthropic.Error
			require.ErrorAs(t, err, &apiErr)
			require.Equal(t, tt.status, apiErr.StatusCode)
			g.outcome(t)
		})
	}
}

func TestMessagesProviderKeyRedactedInErrors(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 400, FailBody: "key sk-openai-test is bad"})
	g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))
	_, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`)
	require.NotContains(t, string(body), "sk-openai-test")
	require.Contains(t, string(body), "[redacted]")
	g.outcome(t)
}

// What an OpenAI-compatible model cannot carry fails that attempt (the
// server excludes such candidates beforehand; see Supports) and the next
// model answers.
func TestMessagesUntranslatableFailsOver(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"server tool", `{"model":"router","max_tokens":9,"messages":[{"role":"user","content":"search"}],
			"tools":[{"type":"web_search_20250305","name":"web_search"}]}`, `tool type "web_search_20250305" is not supported by model-a-id`},
		{"document block", `{"model":"router","max_tokens":9,"messages":[{"role":"user","content":[
			{"type":"document","source":{"type":"text","media_type":"text/plain","data":"a doc"}},{"type":"text","text":"sum up"}]}]}`,
			`content block type "document" is not supported by model-a-id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"), anthropicModel("claude-x"))
			status, _, body := g.post(t, "/messages", tt.body)
			require.Equal(t, 200, status, string(body))
			require.Empty(t, f.openai.Requests())
			sent := members(t, f.anthropic.RequestsFor("claude-x")[0].Body)
			require.Equal(t, `"claude-x"`, sent["model"])
			out := g.outcome(t)
			require.Equal(t, "claude-x-id", out.Answered.ID)
			require.Contains(t, out.Attempts[0].Error, tt.wantErr)

			// With no model left, the call fails as a whole.
			g = newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))
			status, _, _ = g.post(t, "/messages", tt.body)
			require.Equal(t, 400, status, "no provider was asked: the request is what no model here can take")
			require.Contains(t, router.ErrorMessage(g.outcome(t).Err), tt.wantErr)
		})
	}
}

func TestSupportsMessages(t *testing.T) {
	ps := newFakes(t).fwd.Providers
	claude, gpt := anthropicModel("claude-x"), openAIModel("model-a")
	require.Empty(t, ps.Supports(claude, upstream.APIMessages, "custom", "web_search_20250305", "bash_20250124"))
	require.Empty(t, ps.Supports(gpt, upstream.APIMessages))
	require.Empty(t, ps.Supports(gpt, upstream.APIMessages, "custom"))
	require.Equal(t, `provider openai cannot carry tool type "web_search_20250305"`,
		ps.Supports(gpt, upstream.APIMessages, "custom", "web_search_20250305"))
	// Chat Completions and Responses take function tools only at Anthropic.
	require.Empty(t, ps.Supports(claude, upstream.APIResponses, "function"))
	require.Equal(t, `provider anthropic cannot carry tool type "custom"`, ps.Supports(claude, upstream.APIResponses, "custom"))
	require.Empty(t, ps.Supports(gpt, upstream.APIChatCompletions, "custom"))

	def := upstream.Providers{Default: &upstream.Provider{Name: "local", Kind: upstream.KindOpenAI, BaseURL: "http://x"}}
	require.Equal(t, `provider local cannot carry tool type "text_editor_20250728"`,
		def.Supports(router.Model{Name: "llama"}, upstream.APIMessages, "text_editor_20250728"))
}
