package upstream_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The official OpenAI SDK's Responses client in front of Claude: it parses
// what the translation writes, answers and streams alike.

var claudeResponseParams = responses.ResponseNewParams{
	Model:        "router",
	Instructions: openai.String("be kind"),
	Input:        responses.ResponseNewParamsInputUnion{OfString: openai.String("hello there claude")},
}

var lookupCall = &upstreamtest.ToolCall{ID: "toolu_7", Name: "lookup", Arguments: `{"city":"Paris","unit":"c"}`}

func lookupParams() responses.ResponseNewParams {
	p := claudeResponseParams
	p.Tools = []responses.ToolUnionParam{responses.ToolParamOfFunction("lookup",
		map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}}, false)}
	return p
}

// responseSelection reads the model_selection_details of an SDK response.
func responseSelection(t *testing.T, res *responses.Response) selection {
	t.Helper()
	f, ok := res.JSON.ExtraFields["model_selection_details"]
	require.True(t, ok, "no model_selection_details in %s", res.RawJSON())
	var s selection
	require.NoError(t, json.Unmarshal([]byte(f.Raw()), &s))
	return s
}

// streamEvents reads a whole Responses stream with the SDK.
func streamEvents(t *testing.T, c openai.Client, params responses.ResponseNewParams) ([]responses.ResponseStreamEventUnion, error) {
	t.Helper()
	s := c.Responses.NewStreaming(context.Background(), params)
	var evs []responses.ResponseStreamEventUnion
	for s.Next() {
		evs = append(evs, s.Current())
	}
	return evs, s.Err()
}

// final is the response of the stream's last event, which must end it.
func final(t *testing.T, evs []responses.ResponseStreamEventUnion, typ string) responses.Response {
	t.Helper()
	require.NotEmpty(t, evs)
	last := evs[len(evs)-1]
	require.Equal(t, typ, last.Type)
	for i, ev := range evs {
		require.EqualValues(t, i, ev.SequenceNumber, "sequence numbers count up from 0")
	}
	return last.Response
}

// deltas joins the stream's deltas of one event type.
func deltas(evs []responses.ResponseStreamEventUnion, typ string) string {
	var b strings.Builder
	for _, ev := range evs {
		if ev.Type == typ {
			b.WriteString(ev.Delta)
		}
	}
	return b.String()
}

func TestResponsesFromClaude(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{Reply: "Hi, I am Claude.", CachedTokens: 2})
	g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))

	c := sdkClient(g)
	res, err := c.Responses.New(context.Background(), claudeResponseParams, option.WithHeaderAdd("anthropic-beta", "beta-one"))
	require.NoError(t, err)
	require.Regexp(t, `^resp_[0-9a-f]{24}$`, res.ID, "the gateway's id, not one made from Anthropic's msg_fake_1, which may repeat")
	require.Equal(t, "response", string(res.Object))
	require.Equal(t, responses.ResponseStatusCompleted, res.Status)
	require.Equal(t, "claude-x-id", res.Model)
	require.Equal(t, "Hi, I am Claude.", res.OutputText())
	require.Len(t, res.Output, 1)
	require.Equal(t, "message", res.Output[0].Type)
	require.Equal(t, "assistant", res.Output[0].Role)
	require.True(t, strings.HasPrefix(res.Output[0].ID, "msg_"), res.Output[0].ID)
	// The fake counts 5 prompt words and 2 cache reads, which OpenAI counts
	// among the input tokens.
	require.EqualValues(t, 7, res.Usage.InputTokens)
	require.EqualValues(t, 2, res.Usage.InputTokensDetails.CachedTokens)
	require.EqualValues(t, 4, res.Usage.OutputTokens)
	require.EqualValues(t, 11, res.Usage.TotalTokens)
	require.Equal(t, "claude-x-id", responseSelection(t, res).Answered)

	reqs := f.anthropic.RequestsFor("claude-x")
	require.Len(t, reqs, 1)
	require.Equal(t, "/v1/messages", reqs[0].Path)
	require.Equal(t, "sk-ant-test", reqs[0].Header.Get("x-api-key"))
	require.Equal(t, upstream.AnthropicVersion, reqs[0].Header.Get("anthropic-version"))
	require.Empty(t, reqs[0].Header.Values("anthropic-beta"), "betas are for bodies written for Anthropic")
	require.JSONEq(t, `{"model":"claude-x","system":"be kind","max_tokens":4096,
		"messages":[{"role":"user","content":[{"type":"text","text":"hello there claude"}]}]}`, string(reqs[0].Body))

	out := g.outcome(t)
	require.Equal(t, 200, out.Status)
	require.Equal(t, router.Usage{PromptTokens: 7, CompletionTokens: 4, CachedTokens: 2}, out.Usage)
}

func TestResponsesStreamFromClaude(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{CachedTokens: 2})
	g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))

	evs, err := streamEvents(t, sdkClient(g), claudeResponseParams)
	require.NoError(t, err)
	res := final(t, evs, "response.completed")
	require.Equal(t, "Hello from claude-x.", deltas(evs, "response.output_text.delta"))
	require.Equal(t, "response.created", evs[0].Type)
	require.Equal(t, responses.ResponseStatusInProgress, evs[0].Response.Status)
	require.Empty(t, evs[0].Response.Output)
	require.Equal(t, evs[0].Response.ID, res.ID)
	require.True(t, strings.HasPrefix(res.ID, "resp_"), res.ID)
	require.Equal(t, responses.ResponseStatusCompleted, res.Status)
	require.Equal(t, "claude-x-id", res.Model)
	require.Equal(t, "Hello from claude-x.", res.OutputText())
	require.EqualValues(t, 7, res.Usage.InputTokens)
	require.EqualValues(t, 2, res.Usage.InputTokensDetails.CachedTokens)
	require.EqualValues(t, 3, res.Usage.OutputTokens)
	require.EqualValues(t, 10, res.Usage.TotalTokens)
	out := g.outcome(t)
	require.Equal(t, 200, out.Status)
	require.NoError(t, out.Err)
	require.Equal(t, router.Usage{PromptTokens: 7, CompletionTokens: 3, CachedTokens: 2}, out.Usage)
	require.True(t, f.anthropic.Requests()[0].Stream)

	// On the wire: named events, one message item, the details on the
	// first event only.
	_, _, body := g.post(t, "/responses", `{"model":"router","input":"hi","stream":true}`)
	require.Equal(t, []string{"response.created", "response.in_progress",
		"response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
		"response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.completed"}, eventNames(body))
	frames := dataFrames(t, body)
	require.Contains(t, decode(t, frames[0]), "model_selection_details")
	for _, fr := range frames[1:] {
		require.NotContains(t, fr, "model_selection_details")
	}
	item := decode(t, frames[2])
	require.EqualValues(t, 0, item["output_index"])
	require.Equal(t, "in_progress", item["item"].(map[string]any)["status"])
	done := decode(t, frames[7])
	require.Equal(t, "Hello from claude-x.", done["text"])
	require.Equal(t, item["item"].(map[string]any)["id"], done["item_id"])
	g.outcome(t)
}

func TestResponsesConversationToClaude(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{Reply: "Tomorrow too."})
	g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))

	image := responses.ResponseInputContentParamOfInputImage(responses.ResponseInputImageDetailAuto)
	image.OfInputImage.ImageURL = openai.String("data:image/png;base64,iVBORw0K")
	rain := responses.ResponseInputItemParamOfFunctionCallOutput(responses.ResponseFunctionCallOutputItemListParam{
		{OfInputText: &responses.ResponseInputTextContentParam{Text: "rain"}},
	})
	rain.OfFunctionCallOutput.CallID = openai.String("call_1")
	sunny := responses.ResponseInputItemParamOfFunctionCallOutput("sunny")
	sunny.OfFunctionCallOutput.CallID = openai.String("call_0")
	params := lookupParams()
	params.Instructions = openai.String("be brief")
	params.Input = responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
		responses.ResponseInputItemParamOfMessage("answer in French", responses.EasyInputMessageRoleDeveloper),
		responses.ResponseInputItemParamOfMessage(responses.ResponseInputMessageContentListParam{
			responses.ResponseInputContentParamOfInputText("weather in Rome and Paris?"), image,
		}, responses.EasyInputMessageRoleUser),
		responses.ResponseInputItemParamOfReasoning("rs_1", []responses.ResponseReasoningItemSummaryParam{{Text: "the user wants weather"}}),
		responses.ResponseInputItemParamOfMessage("Let me check.", responses.EasyInputMessageRoleAssistant),
		responses.ResponseInputItemParamOfFunctionCall(`{"city":"Rome"}`, "call_0", "lookup"),
		responses.ResponseInputItemParamOfFunctionCall(`{"city": "Paris"}`, "call_1", "lookup"),
		sunny, rain,
		responses.ResponseInputItemParamOfMessage("and tomorrow?", responses.EasyInputMessageRoleUser),
	}}
	params.ToolChoice = responses.ResponseNewParamsToolChoiceUnion{OfToolChoiceMode: openai.Opt(responses.ToolChoiceOptionsRequired)}
	params.ParallelToolCalls = openai.Bool(false)
	params.MaxOutputTokens = openai.Int(300)
	params.Temperature = openai.Float(1.5)
	params.TopP = openai.Float(0.9)
	params.User = openai.String("user-7")
	params.Store = openai.Bool(true)
	params.Metadata = map[string]string{"ticket": "42"}
	params.PromptCacheKey = openai.String("k")

	c := sdkClient(g)
	res, err := c.Responses.New(context.Background(), params,
		option.WithJSONSet("routing_config", map[string]any{"mode": "cost"}))
	require.NoError(t, err)
	require.Equal(t, "Tomorrow too.", res.OutputText())

	reqs := f.anthropic.RequestsFor("claude-x")
	require.Len(t, reqs, 1)
	require.JSONEq(t, `{
		"model": "claude-x",
		"system": "be brief\n\nanswer in French",
		"messages": [
			{"role": "user", "content": [
				{"type": "text", "text": "weather in Rome and Paris?"},
				{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0K"}}]},
			{"role": "assistant", "content": [
				{"type": "text", "text": "Let me check."},
				{"type": "tool_use", "id": "call_0", "name": "lookup", "input": {"city": "Rome"}},
				{"type": "tool_use", "id": "call_1", "name": "lookup", "input": {"city": "Paris"}}]},
			{"role": "user", "content": [
				{"type": "tool_result", "tool_use_id": "call_0", "content": "sunny"},
				{"type": "tool_result", "tool_use_id": "call_1", "content": [{"type": "text", "text": "rain"}]},
				{"type": "text", "text": "and tomorrow?"}]}
		],
		"max_tokens": 300,
		"temperature": 1,
		"tools": [{"name": "lookup", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}],
		"tool_choice": {"type": "any", "disable_parallel_tool_use": true},
		"metadata": {"user_id": "user-7"}
	}`, string(reqs[0].Body))
	g.outcome(t)
}

func TestResponsesToolCallFromClaude(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.anthropic.Set("claude-x", upstreamtest.Behavior{ToolCall: lookupCall, TextFirst: true, Reply: "Let me check.",
				Thinking: "the user wants the weather"})
			g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
			c := sdkClient(g)
			var res responses.Response
			if stream {
				evs, err := streamEvents(t, c, lookupParams())
				require.NoError(t, err)
				res = final(t, evs, "response.completed")
				require.JSONEq(t, lookupCall.Arguments, deltas(evs, "response.function_call_arguments.delta"))
				var added []string
				for _, ev := range evs {
					switch ev.Type {
					case "response.output_item.added":
						added = append(added, ev.Item.Type)
						require.EqualValues(t, len(added)-1, ev.OutputIndex, "thinking takes no output_index")
					case "response.function_call_arguments.done":
						require.JSONEq(t, lookupCall.Arguments, ev.Arguments)
						require.EqualValues(t, 1, ev.OutputIndex)
					}
				}
				require.Equal(t, []string{"message", "function_call"}, added)
			} else {
				r, err := c.Responses.New(context.Background(), lookupParams())
				require.NoError(t, err)
				res = *r
			}
			require.Equal(t, responses.ResponseStatusCompleted, res.Status)
			require.Len(t, res.Output, 2, "no reasoning item for Claude's thinking: %s", res.RawJSON())
			require.Equal(t, "Let me check.", res.OutputText())
			call := res.Output[1]
			require.Equal(t, "function_call", call.Type)
			require.Equal(t, "toolu_7", call.CallID)
			require.Equal(t, "lookup", call.Name)
			require.JSONEq(t, lookupCall.Arguments, call.Arguments.OfString)
			require.True(t, strings.HasPrefix(call.ID, "fc_"), call.ID)
			require.Equal(t, "completed", call.Status)
			sent := decode(t, string(f.anthropic.Requests()[0].Body))
			require.Equal(t, "lookup", sent["tools"].([]any)[0].(map[string]any)["name"])
			require.Equal(t, 200, g.outcome(t).Status)
		})
	}
}

func TestResponsesIncompleteFromClaude(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.anthropic.Set("claude-x", upstreamtest.Behavior{StopReason: "max_tokens"})
			g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
			params := claudeResponseParams
			params.MaxOutputTokens = openai.Int(3)
			var res responses.Response
			if stream {
				evs, err := streamEvents(t, sdkClient(g), params)
				require.NoError(t, err)
				res = final(t, evs, "response.incomplete")
			} else {
				c := sdkClient(g)
				r, err := c.Responses.New(context.Background(), params)
				require.NoError(t, err)
				res = *r
			}
			require.Equal(t, responses.ResponseStatusIncomplete, res.Status)
			require.Equal(t, "max_output_tokens", res.IncompleteDetails.Reason)
			require.Equal(t, "Hello from claude-x.", res.OutputText())
			require.EqualValues(t, 3, decode(t, string(f.anthropic.Requests()[0].Body))["max_tokens"])
			out := g.outcome(t)
			require.Equal(t, 200, out.Status, "a cut-short answer is still an answer")
			require.NoError(t, out.Err)
		})
	}
}

// A stream that breaks after bytes went out ends with the Responses API's
// error event, once, whether the connection dropped or Anthropic sent its
// own error event; nothing fails over then.
func TestResponsesStreamBreaksFromClaude(t *testing.T) {
	tests := []struct {
		name    string
		b       upstreamtest.Behavior
		wantMsg string
	}{
		{"cut", upstreamtest.Behavior{CutAfter: 4}, "claude-x-id stream broke off"},
		{"error event", upstreamtest.Behavior{ErrorAfter: 4}, "claude-x-id sent an error: Overloaded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			f.anthropic.Set("claude-x", tt.b)
			g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"), openAIModel("model-a"))

			evs, err := streamEvents(t, sdkClient(g), claudeResponseParams)
			require.NoError(t, err, "the SDK hands the error event over as an event")
			require.Equal(t, "Hello ", deltas(evs, "response.output_text.delta"), "what came before the break")
			last := evs[len(evs)-1]
			require.Equal(t, "error", last.Type)
			require.Equal(t, "upstream_stream_interrupted", last.Code)
			require.Contains(t, last.Message, tt.wantMsg)
			for _, ev := range evs {
				require.NotEqual(t, "response.completed", ev.Type)
			}
			out := g.outcome(t)
			require.Equal(t, 502, out.Status)
			require.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
			require.Len(t, out.Attempts, 1, "nothing fails over once bytes went out")
			require.Empty(t, f.openai.Requests())

			_, _, body := g.post(t, "/responses", `{"model":"router","input":"hi","stream":true}`)
			require.Equal(t, 1, strings.Count(string(body), "event: error"), string(body))
			require.NotContains(t, string(body), "overloaded_error", "Anthropic's own event does not reach an OpenAI client")
			g.outcome(t)
		})
	}
}

func TestResponsesFailoverFromClaude(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.anthropic.Set("claude-x", upstreamtest.Behavior{FailStatus: 503})
			g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"), openAIModel("model-a"))
			c := sdkClient(g)
			var res responses.Response
			if stream {
				evs, err := streamEvents(t, c, claudeResponseParams)
				require.NoError(t, err)
				require.Equal(t, "response.completed", evs[len(evs)-1].Type)
				res = evs[len(evs)-1].Response
			} else {
				r, err := c.Responses.New(context.Background(), claudeResponseParams)
				require.NoError(t, err)
				res = *r
				sel := responseSelection(t, r)
				require.Equal(t, "model-a-id", sel.Answered)
				require.Equal(t, 503, sel.Attempts[0].Status)
			}
			require.Equal(t, "model-a-id", res.Model)
			require.Equal(t, "Hello from model-a.", res.OutputText())
			out := g.outcome(t)
			require.Equal(t, "model-a-id", out.Answered.ID)
			require.Len(t, out.Attempts, 2)
			require.Equal(t, 503, out.Attempts[0].Status)
			reqs := f.openai.RequestsFor("model-a")
			require.Len(t, reqs, 1)
			require.Equal(t, "/v1/responses", reqs[0].Path, "the next model gets the client's own API")
			sent := members(t, reqs[0].Body)
			require.Equal(t, `"be kind"`, sent["instructions"])
			require.Equal(t, `"hello there claude"`, sent["input"])
		})
	}
}

func TestResponsesClientErrorFromClaude(t *testing.T) {
	f := newFakes(t)
	f.anthropic.Set("claude-x", upstreamtest.Behavior{FailStatus: 400})
	g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"), openAIModel("model-a"))
	status, _, body := g.post(t, "/responses", `{"model":"router","input":"hi"}`)
	require.Equal(t, 400, status)
	require.JSONEq(t, `{"error":{"message":"forced failure 400 for claude-x","type":"invalid_request_error","param":null,"code":null}}`, string(body))
	require.Empty(t, f.openai.Requests(), "a client error does not fail over")
	g.outcome(t)

	c := sdkClient(g)
	_, err := c.Responses.New(context.Background(), claudeResponseParams)
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, 400, apiErr.StatusCode)
	require.Equal(t, "forced failure 400 for claude-x", apiErr.Message)
	g.outcome(t)
}

// What Claude cannot take fails its attempt before anything is sent; the
// next model answers, and with none left the call fails saying why.
func TestResponsesUntranslatableForClaude(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"previous_response_id", `{"model":"router","input":"go on","previous_response_id":"$STORED"}`,
			"previous_response_id cannot continue a conversation at claude-x-id: send the whole conversation in input"},
		{"built-in tool", `{"model":"router","input":"search","tools":[{"type":"function","name":"f"},{"type":"file_search","vector_store_ids":["vs_1"]}]}`,
			`tool type "file_search" is not supported by claude-x-id`},
		{"input_file by file_id", `{"model":"router","input":[{"role":"user","content":[{"type":"input_text","text":"sum up"},{"type":"input_file","file_id":"file-1"}]}]}`,
			`input[0]: input_file part's file_id names a file stored at OpenAI, which claude-x-id cannot read: send the file as file_data`},
		{"input_file not a PDF", `{"model":"router","input":[{"role":"user","content":[{"type":"input_text","text":"sum up"},{"type":"input_file","file_data":"data:text/csv;base64,YSxi"}]}]}`,
			`input[0]: input_file part of media type "text/csv" is not supported by claude-x-id: Claude reads PDF files only`},
		{"input_image by file_id", `{"model":"router","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1","detail":"auto"}]}]}`,
			`input_image without image_url (file_id) is not supported by claude-x-id`},
		{"item_reference", `{"model":"router","input":[{"type":"item_reference","id":"msg_1"},{"role":"user","content":"and?"}]}`,
			`input[0]: item_reference points at an item stored at OpenAI, which claude-x-id cannot see`},
		{"json_schema", `{"model":"router","input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":{"type":"object"}}}}`,
			`text.format json_schema is not supported by claude-x-id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"), openAIModel("model-a"))
			status, _, body := g.post(t, "/responses", strings.Replace(tt.body, "$STORED", storedID(t, f), 1))
			require.Equal(t, 200, status, string(body))
			require.Equal(t, "model-a-id", decode(t, string(body))["model"])
			require.Empty(t, f.anthropic.Requests())
			out := g.outcome(t)
			require.Equal(t, "model-a-id", out.Answered.ID)
			require.Contains(t, out.Attempts[0].Error, tt.wantErr)

			g = newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
			status, _, _ = g.post(t, "/responses", tt.body)
			require.Equal(t, 400, status, "no provider was asked: the request is what no model here can take")
			require.Contains(t, router.ErrorMessage(g.outcome(t).Err), tt.wantErr)
		})
	}
}
