package upstream_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

var claudeModel = router.Model{ID: "claude-3-5-sonnet-20241022", Name: "claude-3-5-sonnet", UpstreamModel: "claude-3-5-sonnet-20241022",
	Provider: "anthropic", MaxOutput: 8192, Capabilities: router.Capabilities{Tools: true, Vision: true}}

func TestToAnthropic(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the whole Anthropic body, compared as JSON
	}{
		{
			name: "system messages join into system, max_tokens defaults, routing_config and unknowns gone",
			in: `{"model":"r","routing_config":{"mode":"cost"},"seed":3,"messages":[
				{"role":"system","content":"Be brief."},{"role":"developer","content":[{"type":"text","text":"Use English."}]},
				{"role":"user","content":"Hi"}]}`,
			want: `{"model":"claude-3-5-sonnet-20241022","system":"Be brief.\n\nUse English.","max_tokens":4096,
				"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}`,
		},
		{
			name: "sampling, stop string, max_completion_tokens, user, stream; temperature clamped to 1, top_p dropped beside it",
			in:   `{"model":"r","messages":[{"role":"user","content":"Hi"}],"temperature":1.5,"top_p":0.9,"stop":"END","max_completion_tokens":50,"user":"u1","stream":true}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":50,"temperature":1,"stop_sequences":["END"],"stream":true,
				"metadata":{"user_id":"u1"},"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}`,
		},
		{
			name: "top_p alone is kept; empty and whitespace-only stop sequences dropped",
			in:   `{"model":"r","messages":[{"role":"user","content":"Hi"}],"top_p":0.9,"stop":["\n","END",""," \t"]}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":4096,"top_p":0.9,"stop_sequences":["END"],
				"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}`,
		},
		{
			name: "only whitespace stop sequences: none sent",
			in:   `{"model":"r","messages":[{"role":"user","content":"Hi"}],"stop":"\n\n"}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]}`,
		},
		{
			name: "images: data URL to base64 source, http URL to url source; empty text dropped",
			in: `{"model":"r","max_tokens":7,"stop":["a","b"],"messages":[{"role":"user","content":[
				{"type":"text","text":"What is this?"},{"type":"text","text":""},
				{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}},
				{"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"high"}}]}]}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":7,"stop_sequences":["a","b"],"messages":[{"role":"user","content":[
				{"type":"text","text":"What is this?"},
				{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}},
				{"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]}`,
		},
		{
			name: "tools, tool calls and tool results (merged into one user message)",
			in: `{"model":"r","messages":[
				{"role":"user","content":"Weather in Paris and Rome?"},
				{"role":"assistant","content":null,"tool_calls":[
					{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
					{"id":"c2","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]},
				{"role":"tool","tool_call_id":"c1","content":"sunny"},
				{"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"rain"}]},
				{"role":"user","content":"Thanks"}],
				"tools":[{"type":"function","function":{"name":"weather","description":"Get weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
					{"type":"function","function":{"name":"noargs"}}],
				"tool_choice":"required","parallel_tool_calls":false}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":4096,"messages":[
				{"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
				{"role":"assistant","content":[
					{"type":"tool_use","id":"c1","name":"weather","input":{"city":"Paris"}},
					{"type":"tool_use","id":"c2","name":"weather","input":{"city":"Rome"}}]},
				{"role":"user","content":[
					{"type":"tool_result","tool_use_id":"c1","content":"sunny"},
					{"type":"tool_result","tool_use_id":"c2","content":"rain"},
					{"type":"text","text":"Thanks"}]}],
				"tools":[{"name":"weather","description":"Get weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
					{"name":"noargs","input_schema":{"type":"object","properties":{}}}],
				"tool_choice":{"type":"any","disable_parallel_tool_use":true}}`,
		},
		{
			name: "named tool choice",
			in:   `{"model":"r","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"f"}}}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],
				"tools":[{"name":"f","input_schema":{"type":"object","properties":{}}}],"tool_choice":{"type":"tool","name":"f"}}`,
		},
		{
			name: "assistant text turns; tool_choice none without tools is not sent",
			in:   `{"model":"r","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}],"tool_choice":"none"}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":4096,"messages":[
				{"role":"user","content":[{"type":"text","text":"a"}]},{"role":"assistant","content":[{"type":"text","text":"b"}]},
				{"role":"user","content":[{"type":"text","text":"c"}]}]}`,
		},
		{
			name: "a required choice and parallel_tool_calls false without tools are not sent",
			in:   `{"model":"r","messages":[{"role":"user","content":"x"}],"tool_choice":"required","parallel_tool_calls":false}`,
			want: `{"model":"claude-3-5-sonnet-20241022","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := upstream.ToAnthropic([]byte(tt.in), claudeModel)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
}

// OpenAI takes tool calls in the history of a call that offers no tools;
// Anthropic wants every tool the history uses declared. The tools called
// before are declared with an open schema, and tool_choice none keeps
// Claude from calling them.
func TestToAnthropicDeclaresToolsTheHistoryUsed(t *testing.T) {
	out, err := upstream.ToAnthropic([]byte(`{"messages":[{"role":"user","content":"weather?"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{}"}},
			{"id":"c2","type":"function","function":{"name":"lookup","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"c1","content":"sunny"},{"role":"tool","tool_call_id":"c2","content":"rain"},
		{"role":"user","content":"so?"}]}`), claudeModel)
	require.NoError(t, err)
	var body struct {
		Tools      []map[string]any `json:"tools"`
		ToolChoice map[string]any   `json:"tool_choice"`
	}
	require.NoError(t, json.Unmarshal(out, &body))
	require.Len(t, body.Tools, 1, "one declaration per tool name")
	assert.Equal(t, "lookup", body.Tools[0]["name"])
	assert.Equal(t, map[string]any{"type": "none"}, body.ToolChoice)

	// With tools offered, they are sent as the client gave them.
	out, err = upstream.ToAnthropic([]byte(`{"tools":[{"type":"function","function":{"name":"other"}}],"messages":[
		{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"lookup","arguments":"{}"}}]},
		{"role":"tool","tool_call_id":"c1","content":"sunny"}]}`), claudeModel)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &body))
	require.Len(t, body.Tools, 1)
	assert.Equal(t, "other", body.Tools[0]["name"])
}

func TestToAnthropicMaxTokensDefaultCappedByModel(t *testing.T) {
	small := claudeModel
	small.MaxOutput = 1024
	out, err := upstream.ToAnthropic([]byte(`{"messages":[{"role":"user","content":"x"}]}`), small)
	require.NoError(t, err)
	var body struct {
		MaxTokens int `json:"max_tokens"`
	}
	require.NoError(t, json.Unmarshal(out, &body))
	assert.Equal(t, 1024, body.MaxTokens)
}

func TestToAnthropicRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"audio part", `{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]}`},
		{"n > 1", `{"n":2,"messages":[{"role":"user","content":"x"}]}`},
		{"json response format", `{"response_format":{"type":"json_object"},"messages":[{"role":"user","content":"x"}]}`},
		{"only system", `{"messages":[{"role":"system","content":"x"}]}`},
		{"unknown role", `{"messages":[{"role":"function","content":"x"}]}`},
		{"bad content", `{"messages":[{"role":"user","content":42}]}`},
		{"bad stop", `{"stop":3,"messages":[{"role":"user","content":"x"}]}`},
		{"not an object", `[1]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := upstream.ToAnthropic([]byte(tt.in), claudeModel)
			require.Error(t, err)
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
		})
	}
}
