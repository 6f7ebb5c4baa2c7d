package openai

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestParseChat(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, r Request)
	}{
		{
			name: "plain string content",
			body: `{"model":"model-router","messages":[{"role":"user","content":"What is 2+2?"}],"stream":true,"user":"u1"}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "model-router", r.Model)
				assert.True(t, r.Stream)
				assert.Equal(t, "u1", r.User)
				assert.Equal(t, "What is 2+2?", r.Prompt)
				assert.Equal(t, len("What is 2+2?"), r.TextChars)
				assert.Empty(t, r.Params)
				assert.False(t, r.Tools || r.StructuredOutput)
			},
		},
		{
			name: "last user turn with recent context, no system prompt",
			body: `{"model":"m","messages":[
				{"role":"system","content":"You are terse."},
				{"role":"user","content":"Write a sort in Go."},
				{"role":"assistant","content":"Here it is: sort.Ints(x)"},
				{"role":"user","content":"And in Rust?"}]}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "user: Write a sort in Go.\n\nassistant: Here it is: sort.Ints(x)\n\n"+router.LastTurnMark+"And in Rust?", r.Prompt)
				assert.NotContains(t, r.Prompt, "terse")
			},
		},
		{
			name: "image parts mean vision and do not become text",
			body: `{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, 1, r.Images)
				assert.Equal(t, "what is this", r.Prompt)
			},
		},
		{
			name: "tools, structured output, max tokens and parameters used",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.2,"top_p":null,
				"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"auto",
				"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},"max_tokens":50,"max_completion_tokens":70}`,
			check: func(t *testing.T, r Request) {
				assert.True(t, r.Tools)
				assert.Empty(t, r.AgentTools)
				assert.True(t, r.StructuredOutput)
				assert.Equal(t, 70, r.MaxOutputTokens, "max_completion_tokens wins over the deprecated max_tokens")
				assert.Equal(t, []string{"max_completion_tokens", "max_tokens", "response_format", "temperature", "tool_choice", "tools"}, r.Params)
			},
		},
		{
			name:  "json_object is not structured output",
			body:  `{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}`,
			check: func(t *testing.T, r Request) { assert.False(t, r.StructuredOutput) },
		},
		{
			name: "routing_config",
			body: `{"model":"m","messages":[{"role":"user","content":"hi"}],"routing_config":{"mode":"Quality","models":["gpt-4.1"],"require_parameters":true,"session_affinity":false}}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, router.ModeQuality, r.Routing.Mode)
				assert.Equal(t, []string{"gpt-4.1"}, r.Routing.Models)
				assert.True(t, r.Routing.RequireParameters)
				require.NotNil(t, r.Routing.SessionAffinity)
				assert.False(t, *r.Routing.SessionAffinity)
				assert.Empty(t, r.Params, "routing_config is ours, not a model parameter")
			},
		},
		{
			name: "only tool results after the user turn still route on the user turn",
			body: `{"model":"m","messages":[{"role":"user","content":"weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"w","arguments":"{\"c\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"1","content":"sunny"}]}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "weather in Paris?", r.Prompt)
				assert.Greater(t, r.TextChars, len("weather in Paris?sunny"))
				assert.Contains(t, inputText(r), "sunny", "tool results are read by the model, so they count as input")
				assert.Contains(t, inputText(r), `{"c":"Paris"}`)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(Chat, []byte(tt.body))
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}

func TestParseResponses(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, r Request)
	}{
		{
			name: "string input",
			body: `{"model":"model-router","input":"Tell me a joke","instructions":"Be funny","max_output_tokens":100}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "Tell me a joke", r.Prompt, "instructions are not read: the router model was trained on bare prompts")
				assert.Equal(t, 100, r.MaxOutputTokens)
			},
		},
		{
			name: "items with images, agent tools and a json schema",
			body: `{"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"describe"},{"type":"input_image","image_url":"https://x/y.png"}]}],
				"tools":[{"type":"web_search_preview"},{"type":"function","name":"f"}],"text":{"format":{"type":"json_schema","name":"o","schema":{}}}}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "describe", r.Prompt)
				assert.Equal(t, 1, r.Images)
				assert.True(t, r.Tools)
				assert.Equal(t, []string{"web_search_preview"}, r.AgentTools)
				assert.Equal(t, []string{"web_search_preview", "function"}, r.ToolTypes)
				assert.True(t, r.StructuredOutput)
				assert.Contains(t, r.Params, "response_format")
			},
		},
		{
			name:  "function call output items",
			body:  `{"model":"m","input":[{"type":"message","role":"user","content":"add 2 and 3"},{"type":"function_call","name":"add","arguments":"{}","call_id":"c"},{"type":"function_call_output","call_id":"c","output":"5"}]}`,
			check: func(t *testing.T, r Request) { assert.Equal(t, "add 2 and 3", r.Prompt) },
		},
		{
			// OpenAI reads each of these ids in its store: an
			// item_reference's (typed or not) and the one an item sent
			// back with its content carries, however it is written.
			name: "ids input items name",
			body: `{"model":"m","input":[{"type":"reasoning","id":"rs_1","summary":[]},{"role":"assistant","id":"msg_\u0031","content":"hi"},
				{"type":"item_reference","id":"msg_2"},{"id":"fc_3"},{"type":"function_call","id":7,"name":"f","arguments":"{}","call_id":"c"},
				{"role":"user","content":"and then?"}]}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, []string{"rs_1", "msg_1", "msg_2", "fc_3"}, r.InputItemIDs, "in input order; an id that is no string is the provider's to refuse")
				assert.Equal(t, []string{"msg_2", "fc_3"}, r.ItemReferences)
			},
		},
		{
			name:  "continuation without input",
			body:  `{"model":"m","previous_response_id":"resp_1"}`,
			check: func(t *testing.T, r Request) { assert.Empty(t, r.Prompt) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(Responses, []byte(tt.body))
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name      string
		api       API
		body      string
		param     string
		inMessage string
	}{
		{"not JSON", Chat, `{"model":`, "", "not a JSON object"},
		{"array body", Chat, `[1]`, "", "not a JSON object"},
		{"null body", Chat, `null`, "", "not a JSON object"},
		{"missing messages", Chat, `{"model":"m"}`, "messages", "'messages'"},
		{"empty messages", Chat, `{"model":"m","messages":[]}`, "messages", "at least one"},
		{"messages not an array", Chat, `{"model":"m","messages":{"role":"user"}}`, "messages", "array of message objects"},
		{"second message not an object", Chat, `{"model":"m","messages":[{"role":"user","content":"x"},5]}`, "messages[1]", "messages[1] must be an object"},
		{"role not a string", Chat, `{"model":"m","messages":[{"role":"user","content":"x"},{"role":7}]}`, "messages[1]", "string role"},
		{"message without role", Chat, `{"model":"m","messages":[{"content":"x"}]}`, "messages[0].role", "role"},
		{"content number", Chat, `{"model":"m","messages":[{"role":"user","content":5}]}`, "messages[0].content", "string or an array"},
		{"third content parts unreadable", Chat, `{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"x"},{"role":"user","content":[5]}]}`, "messages[2].content", "messages[2].content must be a string or an array of content parts"},
		{"second input content number", Responses, `{"model":"m","input":[{"role":"user","content":"x"},{"role":"user","content":5}]}`, "input[1].content", "input[1].content must be a string or an array of content parts"},
		{"tool output parts unreadable", Responses, `{"model":"m","input":[{"role":"user","content":"x"},{"type":"function_call_output","call_id":"c","output":[5]}]}`, "input[1].output", "input[1].output must be a string or an array of content parts"},
		{"model not string", Chat, `{"model":5,"messages":[{"role":"user","content":"x"}]}`, "model", "string"},
		{"stream not bool", Chat, `{"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}`, "stream", "true or false"},
		{"negative max tokens", Chat, `{"model":"m","max_tokens":-1,"messages":[{"role":"user","content":"x"}]}`, "max_tokens", "positive integer"},
		{"unknown routing key", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"routing_config":{"mood":"happy"}}`, "routing_config", "valid keys: mode, models, require_parameters, session_affinity"},
		{"unknown mode", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"routing_config":{"mode":"fast"}}`, "routing_config.mode", "valid modes: balanced, quality, cost"},
		{"models not array", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"routing_config":{"models":"gpt"}}`, "routing_config.models", "array"},
		{"empty models", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"routing_config":{"models":[]}}`, "routing_config.models", "at least one model"},
		{"empty models on Responses", Responses, `{"model":"m","input":"x","routing_config":{"models":[]}}`, "routing_config.models", "at least one model"},
		{"empty models on Messages", Messages, `{"model":"m","max_tokens":9,"messages":[{"role":"user","content":"x"}],"routing_config":{"models":[]}}`, "routing_config.models", "at least one model"},
		{"affinity not bool", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"routing_config":{"session_affinity":"yes"}}`, "routing_config.session_affinity", "true or false"},
		{"missing input", Responses, `{"model":"m"}`, "input", "'input'"},
		{"input number", Responses, `{"model":"m","input":3}`, "input", "string or an array"},
		{"tools not array", Responses, `{"model":"m","input":"x","tools":{}}`, "tools", "array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.api, []byte(tt.body))
			require.Error(t, err)
			var e *router.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, router.EInvalid, e.Code)
			assert.Equal(t, tt.param, e.Param)
			assert.Contains(t, e.Message, tt.inMessage)
		})
	}
}

func TestOpeningIsStableAcrossTurns(t *testing.T) {
	first := `{"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"Q1"}]}`
	later := `{"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"Q1"},{"role":"assistant","content":"A1"},{"role":"user","content":"Q2"}]}`
	other := `{"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"Q9"}]}`
	a, err := Parse(Chat, []byte(first))
	require.NoError(t, err)
	b, err := Parse(Chat, []byte(later))
	require.NoError(t, err)
	c, err := Parse(Chat, []byte(other))
	require.NoError(t, err)
	assert.Equal(t, a.Opening, b.Opening)
	assert.NotEqual(t, a.Opening, c.Opening)
}

func TestContextIsClipped(t *testing.T) {
	long := strings.Repeat("é", 2000) // 4000 bytes of two-byte runes
	body := `{"model":"m","messages":[{"role":"user","content":"` + long + `"},{"role":"assistant","content":"` + long + `"},{"role":"user","content":"last"}]}`
	r, err := Parse(Chat, []byte(body))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(r.Prompt, "user: é"), "the earlier question keeps its share next to a long answer")
	assert.True(t, strings.HasSuffix(r.Prompt, "\n\n"+router.LastTurnMark+"last"))
	assert.LessOrEqual(t, len(r.Prompt), router.ContextChars+len("user: \n\nassistant: \n\n"+router.LastTurnMark+"last"))
	assert.True(t, strings.ToValidUTF8(r.Prompt, "?") == r.Prompt, "clipping must not split a rune")
}

// FuzzParse checks that no body makes the parser panic or hang, and that
// whatever it accepts is self-consistent. Seeds live in testdata/fuzz.
func FuzzParse(f *testing.F) {
	f.Add(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`, true)
	f.Add(`{"model":"m","input":[{"role":"user","content":[{"type":"input_image"}]}]}`, false)
	f.Fuzz(func(t *testing.T, body string, chat bool) {
		api := Responses
		if chat {
			api = Chat
		}
		r, err := Parse(api, []byte(body))
		if err != nil {
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
			return
		}
		assert.GreaterOrEqual(t, r.TextChars, 0)
		assert.GreaterOrEqual(t, r.MaxOutputTokens, 0)
		assert.Len(t, r.Opening, 32)
	})
}

func TestResponseID(t *testing.T) {
	tests := []struct{ name, head, want string }{
		{"json answer", `{"created_at":1,"id":"resp_abc123","output":[{"id":"msg_1"}]}`, "resp_abc123"},
		{"stream", "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\": \"resp_Z-9\",\"object\":\"response\"}}\n\n", "resp_Z-9"},
		{"only item ids", `{"output":[{"id":"msg_1"},{"id":"fc_2"}]}`, ""},
		{"chat completion", `{"id":"chatcmpl-1","object":"chat.completion"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ResponseID([]byte(tt.head)))
		})
	}
}

// The body's members are read as encoding/json reads them: escaped keys by
// their text, the last of duplicate keys, and what is not an object is a
// 400 that says why.
func TestParseReadsTheBodyAsEncodingJSON(t *testing.T) {
	req, err := Parse(Chat, []byte(`{"mod\u0065l":"first","model":"router","messages":[{"role":"user","content":"hi"}],"messages":[{"role":"user","content":"last"}]}`))
	require.NoError(t, err)
	assert.Equal(t, "router", req.Model)
	assert.Equal(t, "last", req.Prompt)

	for body, want := range map[string]string{
		`[1]`:                    "the request body is not a JSON object: expected an object, got array",
		`null`:                   "the request body is not a JSON object",
		`{"model":"x",}`:         "the request body is not a JSON object: invalid character '}'",
		"{\"model\":\"x\"} tail": "the request body is not a JSON object: invalid character 't' after top-level value",
	} {
		_, err := Parse(Chat, []byte(body))
		assert.ErrorContains(t, err, want, body)
	}
}

// Null parts and items carry nothing and are skipped, as before the body
// was read with jsonscan.
func TestParseSkipsNullPartsAndItems(t *testing.T) {
	req, err := Parse(Chat, []byte(`{"messages":[{"role":"user","content":[null,{"type":"text","text":"hi"}]}]}`))
	require.NoError(t, err)
	assert.Equal(t, "hi", req.Prompt)
	req, err = Parse(Responses, []byte(`{"input":[null,{"role":"user","content":[{"type":"input_text","text":"hi"},null]}]}`))
	require.NoError(t, err)
	assert.Equal(t, "hi", req.Prompt)
}

// inputText is what the prompt token estimate counts: the request's texts
// as if joined by newlines.
func inputText(r Request) string { return strings.Join(r.InputTexts(), "\n") }
