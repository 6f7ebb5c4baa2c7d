package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/router/routertest"
)

// A body the official SDKs write, or a framework's (LangChain, LiteLLM,
// the Vercel AI SDK) write by hand, names every member exactly, in every
// form the nested paths the case-variant check walks take: content parts
// of each kind, tool calls, tool messages, function call outputs (string
// and list), tool choices of each shape. None of it may be refused as
// "unknown member": the check compares only the names each object has,
// and a member it does not read (detail, file_data, server_label) is left
// alone. Each is sent to its API's dry run, which parses as the call does.
func TestBodiesTheSDKsWriteAreNotRefusedAsCaseVariants(t *testing.T) {
	// Every model reads files too, so that each body gets a decision.
	e := newE2E(t, func(c *Config) {
		cat := testCatalog()
		for i := range cat.Versions[0].Models {
			cat.Versions[0].Models[i].Capabilities.Files = true
		}
		r, err := router.New(router.Config{Catalog: cat, Predictor: &routertest.Predictor{Fixed: testPrediction()}, Available: c.Available})
		require.NoError(t, err)
		c.Router = r
	})
	for name, tt := range map[string]struct{ path, body string }{
		"chat parts, tool calls, tool message, tool_choice none":    {"/v1/route", sdkChat(t, openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("none")})},
		"chat tool_choice auto":                                     {"/v1/route", sdkChat(t, openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("auto")})},
		"chat tool_choice required":                                 {"/v1/route", sdkChat(t, openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("required")})},
		"chat tool_choice function":                                 {"/v1/route", sdkChat(t, openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_weather"}))},
		"chat tool_choice custom":                                   {"/v1/route", sdkChat(t, openai.ToolChoiceOptionCustomToolChoice(openai.ChatCompletionNamedToolChoiceCustomCustomParam{Name: "grammar"}))},
		"chat tool_choice allowed_tools auto":                       {"/v1/route", sdkChat(t, sdkAllowedTools("auto"))},
		"chat tool_choice allowed_tools required":                   {"/v1/route", sdkChat(t, sdkAllowedTools("required"))},
		"responses parts and calls, tool_choice function":           {"/v1/route/responses", sdkResponses(t, responses.ResponseNewParamsToolChoiceUnion{OfFunctionTool: &responses.ToolChoiceFunctionParam{Name: "get_weather"}})},
		"responses tool_choice allowed_tools":                       {"/v1/route/responses", sdkResponses(t, responses.ResponseNewParamsToolChoiceUnion{OfAllowedTools: &responses.ToolChoiceAllowedParam{Mode: "required", Tools: []map[string]any{{"type": "function", "name": "get_weather"}, {"type": "web_search_preview"}}}})},
		"responses tool_choice hosted tool":                         {"/v1/route/responses", sdkResponses(t, responses.ResponseNewParamsToolChoiceUnion{OfHostedTool: &responses.ToolChoiceTypesParam{Type: responses.ToolChoiceTypesTypeWebSearchPreview}})},
		"responses tool_choice mcp":                                 {"/v1/route/responses", sdkResponses(t, responses.ResponseNewParamsToolChoiceUnion{OfMcpTool: &responses.ToolChoiceMcpParam{ServerLabel: "docs", Name: openai.String("search")}})},
		"responses tool_choice custom":                              {"/v1/route/responses", sdkResponses(t, responses.ResponseNewParamsToolChoiceUnion{OfCustomTool: &responses.ToolChoiceCustomParam{Name: "grammar"}})},
		"responses tool_choice mode":                                {"/v1/route/responses", sdkResponses(t, responses.ResponseNewParamsToolChoiceUnion{OfToolChoiceMode: openai.Opt(responses.ToolChoiceOptionsRequired)})},
		"messages blocks, tool use and result, tool_choice auto":    {"/v1/route/messages", sdkMessages(t, anthropic.ToolChoiceUnionParam{OfAuto: &anthropic.ToolChoiceAutoParam{DisableParallelToolUse: anthropic.Bool(true)}})},
		"messages tool_choice tool":                                 {"/v1/route/messages", sdkMessages(t, anthropic.ToolChoiceUnionParam{OfTool: &anthropic.ToolChoiceToolParam{Name: "get_weather", DisableParallelToolUse: anthropic.Bool(false)}})},
		"messages tool_choice any":                                  {"/v1/route/messages", sdkMessages(t, anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{}})},
		"langchain chat: content null beside tool_calls, name":      {"/v1/route", langChainChat},
		"litellm chat: function_call, functions, cache_control":     {"/v1/route", liteLLMChat},
		"vercel ai sdk responses: item_reference, reasoning item":   {"/v1/route/responses", vercelResponses},
		"vercel ai sdk chat: stream_options, image data URL detail": {"/v1/route", vercelChat},
	} {
		t.Run(name, func(t *testing.T) {
			status, _, got := postRaw(t, e, http.MethodPost, tt.path, tt.body)
			assert.NotContains(t, string(got), "unknown member", "%s", tt.body)
			assert.Equal(t, http.StatusOK, status, "%s\n%s", got, tt.body)
		})
	}
}

// withRouting puts the router's deployment and routing_config into an
// SDK's marshalled body.
func withRouting(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	m["model"] = json.RawMessage(`"model-router"`)
	m["routing_config"] = json.RawMessage(`{"models":["mini","claude"]}`)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return string(out)
}

var sdkWeatherSchema = map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}, "required": []string{"city"}}

func sdkAllowedTools(mode string) openai.ChatCompletionToolChoiceOptionUnionParam {
	return openai.ToolChoiceOptionAllowedTools(openai.ChatCompletionAllowedToolsParam{
		Mode:  openai.ChatCompletionAllowedToolsMode(mode),
		Tools: []map[string]any{{"type": "function", "function": map[string]any{"name": "get_weather"}}, {"type": "custom", "custom": map[string]any{"name": "grammar"}}},
	})
}

// sdkChat is a Chat Completions body with a content part of each kind, an
// assistant's tool calls beside its refusal and content parts, tool
// messages (string and parts), a function and a custom tool, and choice.
func sdkChat(t *testing.T, choice openai.ChatCompletionToolChoiceOptionUnionParam) string {
	t.Helper()
	assistant := openai.ChatCompletionAssistantMessageParam{
		Refusal: openai.String(""),
		Content: openai.ChatCompletionAssistantMessageParamContentUnion{OfArrayOfContentParts: []openai.ChatCompletionAssistantMessageParamContentArrayOfContentPartUnion{
			{OfText: &openai.ChatCompletionContentPartTextParam{Text: "Checking."}},
			{OfRefusal: &openai.ChatCompletionContentPartRefusalParam{Refusal: "Not that part."}},
		}},
		ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{
			{OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{ID: "call_1", Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "get_weather", Arguments: `{"city":"Paris","City":"x"}`}}},
			{OfCustom: &openai.ChatCompletionMessageCustomToolCallParam{ID: "call_2", Custom: openai.ChatCompletionMessageCustomToolCallCustomParam{Name: "grammar", Input: "a b"}}},
		},
	}
	return withRouting(t, openai.ChatCompletionNewParams{
		Model: "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("Be brief."),
			openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
				openai.TextContentPart("What is in these?"),
				openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: "https://example.com/a.png", Detail: "high"}),
				openai.InputAudioContentPart(openai.ChatCompletionContentPartInputAudioInputAudioParam{Data: "UklGRg==", Format: "wav"}),
				openai.FileContentPart(openai.ChatCompletionContentPartFileFileParam{FileID: openai.String("file-abc")}),
				openai.FileContentPart(openai.ChatCompletionContentPartFileFileParam{FileData: openai.String("data:application/pdf;base64,JVBERi0="), Filename: openai.String("a.pdf")}),
			}),
			{OfAssistant: &assistant},
			openai.ToolMessage("18 degrees", "call_1"),
			openai.ToolMessage([]openai.ChatCompletionContentPartTextParam{{Text: "parsed"}}, "call_2"),
		},
		Tools: []openai.ChatCompletionToolUnionParam{
			openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{Name: "get_weather", Description: openai.String("Weather"), Parameters: sdkWeatherSchema, Strict: openai.Bool(true)}),
			openai.ChatCompletionCustomTool(openai.ChatCompletionCustomToolCustomParam{Name: "grammar", Description: openai.String("Free text")}),
		},
		ToolChoice: choice,
	})
}

// sdkResponses is a Responses body with a message of input_text,
// input_image (file_id and image_url) and input_file parts, a function
// call and its outputs (a string and a list of parts), the tools each
// choice can name, and choice.
func sdkResponses(t *testing.T, choice responses.ResponseNewParamsToolChoiceUnion) string {
	t.Helper()
	parts := responses.ResponseInputMessageContentListParam{
		responses.ResponseInputContentParamOfInputText("What is in these?"),
		{OfInputImage: &responses.ResponseInputImageParam{Detail: responses.ResponseInputImageDetailHigh, FileID: openai.String("file-img")}},
		{OfInputImage: &responses.ResponseInputImageParam{Detail: responses.ResponseInputImageDetailAuto, ImageURL: openai.String("https://example.com/a.png")}},
		{OfInputFile: &responses.ResponseInputFileParam{FileID: openai.String("file-pdf")}},
		{OfInputFile: &responses.ResponseInputFileParam{FileData: openai.String("data:application/pdf;base64,JVBERi0="), Filename: openai.String("a.pdf")}},
	}
	listOutput := responses.ResponseFunctionCallOutputItemListParam{
		responses.ResponseFunctionCallOutputItemParamOfInputText("18 degrees"),
		{OfInputImage: &responses.ResponseInputImageContentParam{ImageURL: openai.String("https://example.com/chart.png"), Detail: responses.ResponseInputImageContentDetailLow}},
		{OfInputFile: &responses.ResponseInputFileContentParam{FileID: openai.String("file-out")}},
	}
	mcp := responses.ToolParamOfMcp("docs")
	mcp.OfMcp.ServerURL = openai.String("https://example.com/mcp")
	return withRouting(t, responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{
			responses.ResponseInputItemParamOfMessage("Be brief.", responses.EasyInputMessageRoleDeveloper),
			responses.ResponseInputItemParamOfMessage(parts, responses.EasyInputMessageRoleUser),
			responses.ResponseInputItemParamOfFunctionCall(`{"city":"Paris"}`, "call_1", "get_weather"),
			{OfFunctionCallOutput: &responses.ResponseInputItemFunctionCallOutputParam{CallID: openai.String("call_1"), Output: responses.ResponseInputItemFunctionCallOutputOutputUnionParam{OfString: openai.String("18 degrees")}}},
			responses.ResponseInputItemParamOfFunctionCall(`{"city":"Rome"}`, "call_2", "get_weather"),
			{OfFunctionCallOutput: &responses.ResponseInputItemFunctionCallOutputParam{CallID: openai.String("call_2"), Output: responses.ResponseInputItemFunctionCallOutputOutputUnionParam{OfResponseFunctionCallOutputItemArray: listOutput}}},
			responses.ResponseInputItemParamOfCustomToolCall("call_3", "a b", "grammar"),
		}},
		Tools: []responses.ToolUnionParam{
			responses.ToolParamOfFunction("get_weather", sdkWeatherSchema, true),
			responses.ToolParamOfWebSearchPreview(responses.WebSearchPreviewToolTypeWebSearchPreview),
			responses.ToolParamOfCustom("grammar"),
			mcp,
		},
		ToolChoice: choice,
	})
}

// sdkMessages is a Messages body with text, image (base64 and URL) and
// document blocks, a tool use and its result (text and blocks), a tool
// with a description and a strict schema, and choice.
func sdkMessages(t *testing.T, choice anthropic.ToolChoiceUnionParam) string {
	t.Helper()
	result := anthropic.NewToolResultBlock("toolu_1", "", false)
	result.OfToolResult.Content = []anthropic.ToolResultBlockParamContentUnion{
		{OfText: &anthropic.TextBlockParam{Text: "18 degrees"}},
		{OfImage: &anthropic.ImageBlockParam{Source: anthropic.ImageBlockParamSourceUnion{OfURL: &anthropic.URLImageSourceParam{URL: "https://example.com/chart.png"}}}},
	}
	return withRouting(t, anthropic.MessageNewParams{
		Model:     "model-router",
		MaxTokens: 256,
		System:    []anthropic.TextBlockParam{{Text: "Be brief."}},
		Messages: []anthropic.MessageParam{
			anthropic.NewUserMessage(
				anthropic.NewTextBlock("What is in these?"),
				anthropic.NewImageBlockBase64("image/png", "iVBORw0KGgo="),
				anthropic.NewImageBlock(anthropic.URLImageSourceParam{URL: "https://example.com/a.png"}),
				anthropic.NewDocumentBlock(anthropic.Base64PDFSourceParam{Data: "JVBERi0="}),
			),
			anthropic.NewAssistantMessage(anthropic.NewTextBlock("Checking."), anthropic.NewToolUseBlock("toolu_1", map[string]any{"city": "Paris", "City": "x"}, "get_weather")),
			anthropic.NewUserMessage(result, anthropic.NewToolResultBlock("toolu_1", "again", true)),
		},
		Tools: []anthropic.ToolUnionParam{{OfTool: &anthropic.ToolParam{
			Name:        "get_weather",
			Description: anthropic.String("Weather"),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: sdkWeatherSchema["properties"], Required: []string{"city"}},
			Strict:      anthropic.Bool(true),
		}}},
		ToolChoice: choice,
	})
}

// The frameworks' bodies, as they write them by hand.
var (
	// LangChain's ChatOpenAI: an assistant's content null beside its tool
	// calls, a tool message with a name.
	langChainChat = strings.Join([]string{`{"model":"model-router","routing_config":{"models":["mini","claude"]},`,
		`"messages":[{"role":"user","content":"Weather in Paris?"},`,
		`{"role":"assistant","content":null,"tool_calls":[{"type":"function","id":"call_1","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}]},`,
		`{"role":"tool","content":"18","tool_call_id":"call_1","name":"get_weather"}],`,
		`"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"properties":{"city":{"type":"string"}},"required":["city"],"type":"object"}}}],`,
		`"tool_choice":"auto","n":1,"stream":false,"temperature":0.7}`}, "")
	// LiteLLM: the legacy functions and function_call, a content part
	// with cache_control.
	liteLLMChat = strings.Join([]string{`{"model":"model-router","routing_config":{"models":["mini","claude"]},`,
		`"messages":[{"role":"system","content":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}]},`,
		`{"role":"user","content":"Weather?"},`,
		`{"role":"assistant","content":"","function_call":{"name":"get_weather","arguments":"{}"}},`,
		`{"role":"function","name":"get_weather","content":"18"}],`,
		`"functions":[{"name":"get_weather","parameters":{"type":"object","properties":{}}}],"function_call":{"name":"get_weather"}}`}, "")
	// The Vercel AI SDK's Responses provider: an item_reference, a
	// reasoning item with its summary, a function call with its id.
	vercelResponses = strings.Join([]string{`{"model":"model-router","routing_config":{"models":["mini","claude"]},`,
		`"input":[{"role":"system","content":"Be brief."},`,
		`{"role":"user","content":[{"type":"input_text","text":"Weather?"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"}]},`,
		`{"type":"item_reference","id":"msg_1"},`,
		`{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Think."}]},`,
		`{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}","id":"fc_1"},`,
		`{"type":"function_call_output","call_id":"call_1","output":"18"}],`,
		`"tools":[{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{}},"strict":false}],`,
		`"tool_choice":"auto","store":false,"include":["reasoning.encrypted_content"]}`}, "")
	// The Vercel AI SDK's Chat provider: stream_options, a data URL image
	// with its detail.
	vercelChat = strings.Join([]string{`{"model":"model-router","routing_config":{"models":["mini","claude"]},`,
		`"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}}]}],`,
		`"stream":true,"stream_options":{"include_usage":true},"tool_choice":{"type":"function","function":{"name":"get_weather"}},`,
		`"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}},"strict":true}}]}`}, "")
)
