package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// A member of a content part, of an assistant's tool call or of a tool
// choice that the gateway or a translation reads, named in another case,
// is refused before routing as a message's role is. The translations to
// Claude decode content parts, tool calls, a tool message's tool_call_id
// and a tool choice with encoding/json, which takes "Type" for "type",
// while OpenAI reads exact names: a part {"type": "text", "text": "Hi",
// "Text": "…"} was sent to Claude as one text and to OpenAI as another.
func TestAPartToolCallOrToolChoiceMemberInAnotherCaseIsRefusedBeforeRouting(t *testing.T) {
	const (
		head  = `{"model":"model-router","routing_config":{"models":["mini"]},`
		fn    = `{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}`
		rfn   = `{"type":"function","name":"f","parameters":{"type":"object"}}`
		call  = `{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}`
		reply = `{"role":"tool","tool_call_id":"c1","content":"ok"}`
	)
	chat := func(msgs string) string { return head + `"tools":[` + fn + `],"messages":[` + msgs + `]}` }
	for name, tt := range map[string]struct{ path, body, member, known string }{
		"chat content part Type": {"/v1/chat/completions",
			chat(`{"role":"user","content":[{"type":"text","text":"Hi","Type":"image_url"}]}`),
			"messages[0].content[0].Type", "messages[0].content[0].type"},
		"chat content part Text": {"/v1/chat/completions",
			chat(`{"role":"user","content":[{"type":"text","text":"Hi"},{"type":"text","text":"Hi","TEXT":"a much longer prompt"}]}`),
			"messages[0].content[1].TEXT", "messages[0].content[1].text"},
		"chat content part image_url Url": {"/v1/chat/completions",
			chat(`{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png","URL":"https://example.com/b.png"}}]}`),
			"messages[0].content[0].image_url.URL", "messages[0].content[0].image_url.url"},
		"chat tool call Id": {"/v1/chat/completions",
			chat(`{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c1","Id":"c2","type":"function","function":{"name":"f","arguments":"{}"}}]},` + reply),
			"messages[1].tool_calls[0].Id", "messages[1].tool_calls[0].id"},
		"chat tool call Type": {"/v1/chat/completions",
			chat(`{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c1","Type":"function","function":{"name":"f","arguments":"{}"}}]},` + reply),
			"messages[1].tool_calls[0].Type", "messages[1].tool_calls[0].type"},
		"chat tool call function Arguments": {"/v1/chat/completions",
			chat(`{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}","Arguments":"{\"a\":1}"}}]},` + reply),
			"messages[1].tool_calls[0].function.Arguments", "messages[1].tool_calls[0].function.arguments"},
		"chat tool call function Name": {"/v1/chat/completions",
			chat(`{"role":"user","content":"Hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"Name":"f","arguments":"{}"}}]},` + reply),
			"messages[1].tool_calls[0].function.Name", "messages[1].tool_calls[0].function.name"},
		"chat tool message Tool_Call_Id": {"/v1/chat/completions",
			chat(`{"role":"user","content":"Hi"},` + call + `,{"role":"tool","tool_call_id":"c1","Tool_Call_Id":"c2","content":"ok"}`),
			"messages[2].Tool_Call_Id", "messages[2].tool_call_id"},
		"chat tool_choice function Name": {"/v1/chat/completions",
			head + `"messages":[{"role":"user","content":"Hi"}],"tools":[` + fn + `],"tool_choice":{"type":"function","function":{"name":"f","Name":"g"}}}`,
			"tool_choice.function.Name", "tool_choice.function.name"},
		"chat tool_choice allowed_tools Mode": {"/v1/chat/completions",
			head + `"messages":[{"role":"user","content":"Hi"}],"tools":[` + fn + `],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","Mode":"required","tools":[{"type":"function","function":{"name":"f"}}]}}}`,
			"tool_choice.allowed_tools.Mode", "tool_choice.allowed_tools.mode"},
		"chat tool_choice allowed_tools Tools": {"/v1/chat/completions",
			head + `"messages":[{"role":"user","content":"Hi"}],"tools":[` + fn + `],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","Tools":[{"type":"function","function":{"name":"f"}}]}}}`,
			"tool_choice.allowed_tools.Tools", "tool_choice.allowed_tools.tools"},
		"chat tool_choice allowed_tools tool function Name": {"/v1/chat/completions",
			head + `"messages":[{"role":"user","content":"Hi"}],"tools":[` + fn + `],"tool_choice":{"type":"allowed_tools","allowed_tools":{"mode":"auto","tools":[{"type":"function","function":{"NAME":"f"}}]}}}`,
			"tool_choice.allowed_tools.tools[0].function.NAME", "tool_choice.allowed_tools.tools[0].function.name"},
		"responses content part Type": {"/v1/responses",
			head + `"input":[{"role":"user","content":[{"type":"input_text","text":"Hi","Type":"input_image"}]}]}`,
			"input[0].content[0].Type", "input[0].content[0].type"},
		"responses content part Image_Url": {"/v1/responses",
			head + `"input":[{"role":"user","content":[{"type":"input_image","image_url":"https://example.com/a.png","Image_Url":"https://example.com/b.png"}]}]}`,
			"input[0].content[0].Image_Url", "input[0].content[0].image_url"},
		"responses tool_choice Name": {"/v1/responses",
			head + `"input":"Hi","tools":[` + rfn + `],"tool_choice":{"type":"function","name":"f","Name":"g"}}`,
			"tool_choice.Name", "tool_choice.name"},
		"responses tool_choice Mode": {"/v1/responses",
			head + `"input":"Hi","tools":[` + rfn + `],"tool_choice":{"type":"allowed_tools","mode":"auto","Mode":"required","tools":[{"type":"function","name":"f"}]}}`,
			"tool_choice.Mode", "tool_choice.mode"},
		"responses tool_choice tool Name": {"/v1/responses",
			head + `"input":"Hi","tools":[` + rfn + `],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","Name":"f"}]}}`,
			"tool_choice.tools[0].Name", "tool_choice.tools[0].name"},
	} {
		t.Run(name, func(t *testing.T) {
			requireCaseVariantRefused(t, tt.path, tt.body, tt.member, tt.known)
		})
	}
}

// Only the members the gateway or a translation reads are compared: a
// key the client names (a schema's property, a metadata key, a tool
// call's arguments) may be "Type" beside "type".
func TestAMemberTheClientNamesMayDifferOnlyInCase(t *testing.T) {
	const head = `{"model":"model-router","routing_config":{"models":["mini"]},`
	schema := `{"type":"object","properties":{"type":{"type":"string"},"Type":{"type":"string"},"Text":{"type":"string"}}}`
	for name, tt := range map[string]struct{ path, body string }{
		"chat": {"/v1/chat/completions", head + `"metadata":{"type":"a","Type":"b"},` +
			`"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":` + schema + `}},` +
			`"tools":[{"type":"function","function":{"name":"f","parameters":` + schema + `}}],` +
			`"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]},` +
			`{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"type\":\"a\",\"Type\":\"b\"}"}}]},` +
			`{"role":"tool","tool_call_id":"c1","content":"ok"}]}`},
		"responses": {"/v1/responses", head + `"metadata":{"type":"a","Type":"b"},` +
			`"text":{"format":{"type":"json_schema","name":"s","schema":` + schema + `}},` +
			`"tools":[{"type":"function","name":"f","parameters":` + schema + `}],` +
			`"input":[{"role":"user","content":[{"type":"input_text","text":"Hi"}]}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			status, _, got := postRaw(t, e, http.MethodPost, tt.path, tt.body)
			require.Equal(t, http.StatusOK, status, "%s", got)
			require.Len(t, e.openai.Requests(), 1)
		})
	}
}
