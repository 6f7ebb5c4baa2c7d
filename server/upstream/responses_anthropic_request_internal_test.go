package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

var claudeX = router.Model{ID: "claude-x-id", Name: "claude-x", Provider: "anthropic", Format: "Anthropic"}

func TestResponsesToAnthropic(t *testing.T) {
	tests := []struct {
		name  string
		model func(*router.Model)
		body  string
		want  string
	}{
		{"string input, default max_tokens", nil, `{"model":"r","input":"hi"}`,
			`{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`},
		{"the model's smaller maximum", func(m *router.Model) { m.MaxOutput = 1000 }, `{"model":"r","input":"hi","max_output_tokens":null}`,
			`{"model":"claude-x","max_tokens":1000,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`},
		{"a reasoning model loses sampling parameters", func(m *router.Model) { m.Capabilities.Reasoning = true },
			`{"model":"r","input":"hi","temperature":0.2,"top_p":0.5,"reasoning":{"effort":"high"},"stream":true}`,
			`{"model":"claude-x","max_tokens":4096,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`},
		{"tool_choice without tools is not sent", nil, `{"model":"r","input":"hi","tool_choice":"required","parallel_tool_calls":false}`,
			`{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}`},
		{"parallel_tool_calls false alone", nil,
			`{"model":"r","input":"hi","tools":[{"type":"function","name":"f","description":"does f","parameters":null}],"parallel_tool_calls":false}`,
			`{"model":"claude-x","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],
			"tools":[{"name":"f","description":"does f","input_schema":{"type":"object","properties":{}}}],
			"tool_choice":{"type":"auto","disable_parallel_tool_use":true}}`},
		{"function tool choice, url image, system roles", nil,
			`{"model":"r","instructions":"sys","tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],
			"tool_choice":{"type":"function","name":"f"},"input":[
			{"type":"message","role":"system","content":[{"type":"input_text","text":"more"}]},
			{"role":"user","content":[{"type":"input_image","image_url":"https://x/y.png"},{"type":"input_text","text":" "}]},
			{"type":"message","role":"assistant","status":"completed","id":"msg_1","content":[{"type":"output_text","text":"ok","annotations":[]},{"type":"refusal","refusal":"no"}]},
			{"role":"user","content":"go on"}]}`,
			`{"model":"claude-x","system":"sys\n\nmore","max_tokens":4096,"messages":[
			{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},
			{"role":"assistant","content":[{"type":"text","text":"ok"},{"type":"text","text":"no"}]},
			{"role":"user","content":[{"type":"text","text":"go on"}]}],
			"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f"}}`},
		{"tool results move before text; bad arguments become {}; the tool called before is declared, not offered", nil,
			`{"model":"r","input":[{"type":"function_call","call_id":"c1","name":"f","arguments":"{oops"},
			{"role":"user","content":"why?"},
			{"type":"function_call_output","call_id":"c1","output":"done"}]}`,
			`{"model":"claude-x","max_tokens":4096,"messages":[
			{"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"f","input":{}}]},
			{"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"done"},{"type":"text","text":"why?"}]}],
			"tools":[{"name":"f","input_schema":{"type":"object","properties":{}}}],"tool_choice":{"type":"none"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := claudeX
			if tt.model != nil {
				tt.model(&m)
			}
			out, err := ResponsesToAnthropic([]byte(tt.body), m)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(out))
		})
	}
}

func TestResponsesToAnthropicRefusals(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"previous_response_id", `{"model":"r","previous_response_id":"resp_1"}`,
			"previous_response_id cannot continue a conversation at claude-x-id: send the whole conversation in input"},
		{"conversation", `{"model":"r","input":"x","conversation":"conv_1"}`, "conversation cannot be continued at claude-x-id"},
		{"stored prompt", `{"model":"r","input":"x","prompt":{"id":"pmpt_1"}}`, "stored prompts are not supported by claude-x-id"},
		{"background", `{"model":"r","input":"x","background":true}`, "background responses are not supported by claude-x-id"},
		{"web search", `{"model":"r","input":"x","tools":[{"type":"web_search_preview"}]}`, `tool type "web_search_preview" is not supported by claude-x-id`},
		{"custom tool", `{"model":"r","input":"x","tools":[{"type":"custom","name":"c"}]}`, `tool type "custom" is not supported by claude-x-id`},
		{"mcp", `{"model":"r","input":"x","tools":[{"type":"mcp","server_label":"s"}]}`, `tool type "mcp" is not supported by claude-x-id`},
		{"allowed_tools of a built-in tool", `{"model":"r","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"mcp","server_label":"s"}]}}`,
			`tool_choice allowed_tools names a tool of type "mcp", which claude-x-id does not take`},
		{"unknown tool_choice", `{"model":"r","input":"x","tools":[{"type":"function","name":"f"}],"tool_choice":"sometimes"}`, `unknown tool_choice "sometimes"`},
		{"input_file not a PDF", `{"model":"r","input":[{"role":"user","content":[{"type":"input_file","file_data":"data:text/plain;base64,aGVsbG8="}]}]}`,
			`input[0]: input_file part of media type "text/plain" is not supported by claude-x-id: Claude reads PDF files only`},
		{"input_audio", `{"model":"r","input":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}`,
			`content part "input_audio" is not supported by claude-x-id`},
		{"image file_id", `{"model":"r","input":[{"role":"user","content":[{"type":"input_image","file_id":"file-1"}]}]}`,
			`input_image without image_url (file_id) is not supported by claude-x-id`},
		{"file_id in a tool output", `{"model":"r","input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_file","file_id":"f"}]}]}`,
			`input[0]: input_file part's file_id names a file stored at OpenAI, which claude-x-id cannot read: send the file as file_data`},
		{"item_reference", `{"model":"r","input":[{"type":"item_reference","id":"msg_1"}]}`, "item_reference points at an item stored at OpenAI"},
		{"other item", `{"model":"r","input":[{"type":"computer_call_output","call_id":"c"}]}`, `input item type "computer_call_output" is not supported by claude-x-id`},
		{"role", `{"model":"r","input":[{"role":"tool","content":"x"}]}`, `role "tool" is not supported by claude-x-id`},
		{"image in system", `{"model":"r","input":[{"role":"developer","content":[{"type":"input_image","image_url":"https://x"}]},{"role":"user","content":"x"}]}`,
			`developer messages take text only, not "input_image"`},
		{"json_object", `{"model":"r","input":"x","text":{"format":{"type":"json_object"}}}`, "text.format json_object is not supported by claude-x-id"},
		{"nothing to send", `{"model":"r","input":[{"type":"reasoning","id":"rs_1","summary":[]}]}`, "the request has no message content to send to claude-x-id"},
		{"blank input", `{"model":"r","input":"  "}`, "the request has no message content to send to claude-x-id"},
		{"ending with an assistant turn", `{"model":"r","input":[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello"},{"role":"developer","content":"be nice"}]}`,
			"the input ends with an assistant turn, which claude-x-id would continue rather than answer"},
		{"call without id", `{"model":"r","input":[{"type":"function_call","name":"f","arguments":"{}"}]}`, "function_call without call_id"},
		{"input not a list", `{"model":"r","input":{"role":"user"}}`, "input must be a string or a list of input items"},
		{"not an object", `[1]`, "request body must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ResponsesToAnthropic([]byte(tt.body), claudeX)
			require.Error(t, err, "%s", out)
			require.Equal(t, router.EInvalid, router.ErrorCode(err))
			require.Contains(t, router.ErrorMessage(err), tt.want)
		})
	}
}

// FuzzResponsesToAnthropic: no Responses body makes the translation panic,
// and what it accepts comes out as a Messages body with messages.
func FuzzResponsesToAnthropic(f *testing.F) {
	f.Add(`{"model":"m","input":"hi"}`)
	f.Add(`{"model":"m","instructions":"s","input":[{"role":"developer","content":"d"},` +
		`{"role":"user","content":[{"type":"input_text","text":"q"},{"type":"input_image","image_url":"data:image/png;base64,AA=="}]},` +
		`{"type":"reasoning","id":"rs","summary":[]},{"type":"function_call","call_id":"c","name":"f","arguments":"{\"a\":1}"},` +
		`{"type":"function_call_output","call_id":"c","output":[{"type":"input_text","text":"r"}]},{"role":"user","content":"more"}],` +
		`"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"tool_choice":{"type":"function","name":"f"},` +
		`"parallel_tool_calls":false,"max_output_tokens":9,"temperature":2,"top_p":0.5,"user":"u","routing_config":{}}`)
	f.Add(`{"model":"m","previous_response_id":"resp_1"}`)
	m := router.Model{ID: "m-id", Name: "m", Provider: "anthropic", Format: "Anthropic"}
	f.Fuzz(func(t *testing.T, body string) { checkTranslation(t, ResponsesToAnthropic, body, m) })
}

// checkTranslation holds a translation to Anthropic to its contract: an
// error, or a Messages body with messages and max_tokens.
func checkTranslation(t *testing.T, to func([]byte, router.Model) ([]byte, error), body string, m router.Model) {
	out, err := to([]byte(body), m)
	if err != nil {
		return
	}
	var msg struct {
		MaxTokens int               `json:"max_tokens"`
		Messages  []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(out, &msg); err != nil {
		t.Fatalf("translation of %q is not a JSON object: %s", body, out)
	}
	if len(msg.Messages) == 0 || msg.MaxTokens < 1 {
		t.Fatalf("translation of %q has no messages or no max_tokens: %s", body, out)
	}
}

// FuzzToAnthropic: no Chat Completions body makes the translation panic,
// and what it accepts comes out as a Messages body with messages.
func FuzzToAnthropic(f *testing.F) {
	f.Add(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	f.Add(`{"model":"m","messages":[{"role":"system","content":[{"type":"text","text":"s"}]},` +
		`{"role":"user","content":[{"type":"text","text":"q"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},` +
		`{"role":"tool","tool_call_id":"c","content":"r"},{"role":"user","content":"more \u00e9"}],` +
		`"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"required",` +
		`"parallel_tool_calls":false,"max_tokens":9,"temperature":2,"stop":"x","user":"u"}`)
	m := router.Model{ID: "m-id", Name: "m", Provider: "anthropic", Format: "Anthropic"}
	f.Fuzz(func(t *testing.T, body string) { checkTranslation(t, ToAnthropic, body, m) })
}
