package upstream_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// messagesBody has every translated feature: system blocks, text and
// image parts, thinking, tool calls, tool results (one failed), tools,
// tool_choice, and the members that have no Chat Completions form.
const messagesBody = `{"model":"router","max_tokens":256,"temperature":0.5,"top_p":0.9,"top_k":40,
 "stop_sequences":["END"],"metadata":{"user_id":"u-1"},"stream":true,"service_tier":"auto",
 "thinking":{"type":"enabled","budget_tokens":1024},"routing_config":{"mode":"cost"},
 "system":[{"type":"text","text":"be brief"},{"type":"text","text":"be kind","cache_control":{"type":"ephemeral"}}],
 "tools":[{"name":"weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},
          {"type":"custom","name":"clock","input_schema":{"type":"object"}}],
 "tool_choice":{"type":"any","disable_parallel_tool_use":true},
 "messages":[
  {"role":"user","content":[{"type":"text","text":"weather in <Paris> & time?"},
     {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}},
     {"type":"image","source":{"type":"url","url":"https://example.com/a.jpg"}}]},
  {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Let me look."},
     {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city": "Paris"}},
     {"type":"tool_use","id":"toolu_2","name":"clock","input":{}}]},
  {"role":"user","content":[{"type":"text","text":"thanks"},
     {"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"},
     {"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"no"},{"type":"text","text":"clock"}],"is_error":true}]},
  {"role":"assistant","content":[{"type":"redacted_thinking","data":"xyz"}]},
  {"role":"assistant","content":"You are welcome."},
  {"role":"user","content":"bye"}]}`

func TestMessagesToChat(t *testing.T) {
	got, err := upstream.MessagesToChat([]byte(messagesBody), openAIModel("gpt-x"))
	require.NoError(t, err)
	require.JSONEq(t, `{"model":"gpt-x","max_tokens":256,"temperature":0.5,"top_p":0.9,"stop":["END"],"user":"u-1","stream":true,
	 "messages":[
	  {"role":"system","content":"be brief\nbe kind"},
	  {"role":"user","content":[{"type":"text","text":"weather in <Paris> & time?"},
	     {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K"}},
	     {"type":"image_url","image_url":{"url":"https://example.com/a.jpg"}}]},
	  {"role":"assistant","content":"Let me look.","tool_calls":[
	     {"id":"toolu_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
	     {"id":"toolu_2","type":"function","function":{"name":"clock","arguments":"{}"}}]},
	  {"role":"tool","tool_call_id":"toolu_1","content":"sunny"},
	  {"role":"tool","tool_call_id":"toolu_2","content":"Error: no\nclock"},
	  {"role":"user","content":[{"type":"text","text":"thanks"}]},
	  {"role":"assistant","content":"You are welcome."},
	  {"role":"user","content":"bye"}],
	 "tools":[
	  {"type":"function","function":{"name":"weather","description":"Weather of a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
	  {"type":"function","function":{"name":"clock","parameters":{"type":"object"}}}],
	 "tool_choice":"required","parallel_tool_calls":false}`, string(got))
	require.Contains(t, string(got), `<Paris> &`, "text goes on unescaped")
}

func TestMessagesToChatToolChoice(t *testing.T) {
	const tools = `"tools":[{"name":"f","input_schema":{"type":"object"}}]`
	tests := []struct {
		name, members string
		want          string // tool_choice and parallel_tool_calls, "" for absent
	}{
		{"auto", tools + `,"tool_choice":{"type":"auto"}`, `{"tool_choice":"auto"}`},
		{"none", tools + `,"tool_choice":{"type":"none"}`, `{"tool_choice":"none"}`},
		{"named tool", tools + `,"tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true}`,
			`{"tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false}`},
		{"no choice", tools, `{}`},
		{"a choice without tools is not sent", `"tool_choice":{"type":"any","disable_parallel_tool_use":true}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"model":"r","max_tokens":5,"messages":[{"role":"user","content":"x"}],` + tt.members + `}`
			got, err := upstream.MessagesToChat([]byte(body), openAIModel("gpt-x"))
			require.NoError(t, err)
			m := members(t, got)
			picked := map[string]json.RawMessage{}
			for _, k := range []string{"tool_choice", "parallel_tool_calls"} {
				if v, ok := m[k]; ok {
					picked[k] = json.RawMessage(v)
				}
			}
			b, err := json.Marshal(picked)
			require.NoError(t, err)
			require.JSONEq(t, tt.want, string(b))
		})
	}
}

func TestMessagesToChatRejectsWhatChatCannotCarry(t *testing.T) {
	const user = `{"model":"r","max_tokens":5,"messages":[{"role":"user","content":[%s]}]}`
	tests := []struct {
		name, body string
		want       []string // in the message, besides the model
	}{
		{"server tool", `{"model":"r","max_tokens":5,"messages":[{"role":"user","content":"x"}],
			"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":3}]}`, []string{`tool type "web_search_20250305"`}},
		{"bash tool", `{"model":"r","max_tokens":5,"messages":[{"role":"user","content":"x"}],
			"tools":[{"type":"bash_20250124","name":"bash"}]}`, []string{`"bash_20250124"`}},
		{"document block", strings.Replace(user, "%s",
			`{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0="}}`, 1),
			[]string{"messages[0]", `"document"`}},
		{"search result block", strings.Replace(user, "%s",
			`{"type":"search_result","source":"s","title":"t","content":[{"type":"text","text":"x"}]}`, 1),
			[]string{`"search_result"`}},
		{"server tool use in a reply", `{"model":"r","max_tokens":5,"messages":[{"role":"user","content":"x"},
			{"role":"assistant","content":[{"type":"server_tool_use","id":"s1","name":"web_search","input":{}}]}]}`,
			[]string{"messages[1]", `"server_tool_use"`}},
		{"file image", strings.Replace(user, "%s", `{"type":"image","source":{"type":"file","file_id":"f1"}}`, 1),
			[]string{`image source type "file"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := upstream.MessagesToChat([]byte(tt.body), openAIModel("gpt-x"))
			require.Error(t, err)
			require.Equal(t, router.EInvalid, router.ErrorCode(err))
			msg := router.ErrorMessage(err)
			for _, w := range append(tt.want, "gpt-x-id") {
				require.Contains(t, msg, w)
			}
		})
	}
	t.Run("tool result with an image", func(t *testing.T) {
		body := strings.Replace(user, "%s", `{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"url","url":"u"}}]}`, 1)
		_, err := upstream.MessagesToChat([]byte(body), openAIModel("gpt-x"))
		require.Equal(t, router.EInvalid, router.ErrorCode(err))
		require.Contains(t, router.ErrorMessage(err), `not "image"`)
	})
}

// Reasoning models get the Chat Completions preparation after the
// translation: max_completion_tokens, no sampling parameters.
func TestMessagesToReasoningModel(t *testing.T) {
	f := newFakes(t)
	m := openAIModel("o-x")
	m.Capabilities.Reasoning = true
	g := newGateway(t, f.fwd, upstream.APIMessages, m)
	status, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":64,"temperature":0.2,"stop_sequences":["x"],"messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, 200, status, string(body))
	sent := members(t, f.openai.RequestsFor("o-x")[0].Body)
	require.Equal(t, "64", sent["max_completion_tokens"])
	for _, k := range []string{"max_tokens", "temperature", "stop"} {
		require.NotContains(t, sent, k)
	}
	g.outcome(t)
}

// A user turn with null content is an empty user message, as it was when
// the turn was decoded with encoding/json (the gateway's parser refuses
// such a body before; direct callers may still send one).
func TestMessagesToChatNullUserContent(t *testing.T) {
	out, err := upstream.MessagesToChat([]byte(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":null},{"role":"user","content":"hi"}]}`),
		router.Model{ID: "gpt-x-id", Name: "gpt-x", Provider: "openai"})
	require.NoError(t, err)
	var body struct {
		Messages []map[string]any `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(out, &body))
	require.Len(t, body.Messages, 2)
	require.Equal(t, "", body.Messages[0]["content"])
	require.Equal(t, "hi", body.Messages[1]["content"])
}

// Extended thinking asks an OpenAI reasoning model for about as much
// reasoning; a model that does not read reasoning_effort as OpenAI defines
// it gets none.
func TestMessagesToChatThinkingBecomesReasoningEffort(t *testing.T) {
	reasoner := openAIModel("o-x")
	reasoner.Capabilities.Reasoning = true
	deepseek := router.Model{ID: "ds-id", Name: "ds", Provider: "deepseek", Format: "DeepSeek", Capabilities: router.Capabilities{Reasoning: true}}
	tests := []struct {
		name, thinking string
		m              router.Model
		want           string // reasoning_effort, "" for absent
	}{
		{"think", `{"type":"enabled","budget_tokens":4000}`, reasoner, "low"},
		{"think hard", `{"type":"enabled","budget_tokens":10000}`, reasoner, "medium"},
		{"ultrathink", `{"type":"enabled","budget_tokens":31999}`, reasoner, "high"},
		{"the smallest budget", `{"type":"enabled","budget_tokens":1024}`, reasoner, "low"},
		{"disabled", `{"type":"disabled"}`, reasoner, ""},
		{"a model that does not reason", `{"type":"enabled","budget_tokens":31999}`, openAIModel("gpt-x"), ""},
		{"another provider's reasoning model", `{"type":"enabled","budget_tokens":31999}`, deepseek, ""},
		{"a budget written as a float", `{"type":"enabled","budget_tokens":1e4}`, reasoner, "medium"},
		{"a shape we do not know", `{"type":"enabled","budget_tokens":"lots"}`, reasoner, ""},
		{"adaptive with an effort", `{"type":"adaptive"},"output_config":{"effort":"low"}`, reasoner, "low"},
		{"xhigh effort", `{"type":"adaptive"},"output_config":{"effort":"xhigh"}`, reasoner, "xhigh"},
		{"max effort", `{"type":"adaptive"},"output_config":{"effort":"max"}`, reasoner, "max"},
		{"adaptive alone: Anthropic's default effort", `{"type":"adaptive"}`, reasoner, "high"},
		{"adaptive for a model that does not reason", `{"type":"adaptive"}`, openAIModel("gpt-x"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"model":"r","max_tokens":5,"thinking":` + tt.thinking + `,"messages":[{"role":"user","content":"x"}]}`
			got, err := upstream.MessagesToChat([]byte(body), tt.m)
			require.NoError(t, err)
			var out struct {
				ReasoningEffort string `json:"reasoning_effort"`
			}
			require.NoError(t, json.Unmarshal(got, &out))
			require.Equal(t, tt.want, out.ReasoningEffort)
		})
	}
}

// A last assistant turn with no content asks Claude to continue nothing,
// which is answering afresh: an OpenAI-format model gets the conversation
// without it, whether it is written "" or [], since some OpenAI-compatible
// servers refuse a conversation that ends with an assistant message.
func TestMessagesEmptyLastAssistantTurnIsLeftOut(t *testing.T) {
	for _, content := range []string{`""`, `[]`} {
		t.Run(content, func(t *testing.T) {
			f := newFakes(t)
			g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("gpt-x"))
			status, _, body := g.post(t, "/messages", `{"model":"router","max_tokens":64,"messages":[
				{"role":"user","content":"hi"},{"role":"assistant","content":`+content+`}]}`)
			require.Equal(t, 200, status, string(body))
			var sent struct {
				Messages []map[string]any `json:"messages"`
			}
			require.NoError(t, json.Unmarshal(f.openai.RequestsFor("gpt-x")[0].Body, &sent))
			require.Equal(t, []map[string]any{{"role": "user", "content": "hi"}}, sent.Messages)
			g.outcome(t)
		})
	}
}

// A model without structured output (a catalog model OpenAI's strict mode
// is not documented for) gets a strict Messages tool without strict, rather
// than a strict function its API may refuse with a 400 that would not fail
// over; one with structured output gets it strict.
func TestStrictToolNeedsStructuredOutput(t *testing.T) {
	body := `{"max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","strict":true,` +
		`"input_schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}}]}`
	for _, structured := range []bool{false, true} {
		m := openAIModel("gpt-x")
		m.Capabilities.StructuredOutput = structured
		got, err := upstream.MessagesToChat([]byte(body), m)
		require.NoError(t, err)
		var sent struct {
			Tools []struct {
				Function map[string]json.RawMessage `json:"function"`
			} `json:"tools"`
		}
		require.NoError(t, json.Unmarshal(got, &sent))
		require.Len(t, sent.Tools, 1)
		if structured {
			assert.JSONEq(t, "true", string(sent.Tools[0].Function["strict"]), "%s", got)
		} else {
			assert.NotContains(t, sent.Tools[0].Function, "strict", "%s", got)
		}
	}
}
