package openai

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestParseMessages(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, r Request)
	}{
		{
			name: "string content, system prompt and the required max_tokens",
			body: `{"model":"model-router","max_tokens":1024,"system":"Be terse.","stream":true,
				"messages":[{"role":"user","content":"What is 2+2?"}],"metadata":{"user_id":"u-7"}}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, Messages, r.API)
				assert.Equal(t, "model-router", r.Model)
				assert.True(t, r.Stream)
				assert.Equal(t, "u-7", r.User, "metadata.user_id keys session affinity like OpenAI's user")
				assert.Equal(t, 1024, r.MaxOutputTokens)
				chat, err := Parse(Chat, []byte(`{"model":"m","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"What is 2+2?"}]}`))
				require.NoError(t, err)
				assert.Equal(t, chat.Prompt, r.Prompt, "the router reads the same text as for the same conversation on Chat Completions")
				assert.Equal(t, chat.Opening, r.Opening)
				assert.Equal(t, len("Be terse.")+len("What is 2+2?"), r.TextChars)
				assert.Empty(t, r.Params, "system and max_tokens come with every request")
			},
		},
		{
			name: "system as text blocks, a multi-turn conversation in blocks",
			body: `{"model":"m","max_tokens":10,"system":[{"type":"text","text":"You review Go."}],
				"messages":[
				{"role":"user","content":[{"type":"text","text":"Write a sort in Go."}]},
				{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"x"},{"type":"text","text":"sort.Ints(x)"}]},
				{"role":"user","content":"And in Rust?"}]}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, "user: Write a sort in Go.\n\nassistant: sort.Ints(x)\n\n"+router.LastTurnMark+"And in Rust?", r.Prompt)
				assert.NotContains(t, r.Prompt, "hmm", "earlier thinking is not the question")
				assert.Contains(t, inputText(r), "You review Go.")
			},
		},
		{
			name: "images, tool use and tool results",
			body: `{"model":"m","max_tokens":10,"messages":[
				{"role":"user","content":[{"type":"text","text":"what is in the picture?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]},
				{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"lookup","input":{"q":"cat"}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","text":"a cat, 3 years"}]}]}],
				"tools":[{"name":"lookup","description":"look things up","input_schema":{"type":"object"}},
				         {"type":"web_search_20250305","name":"web_search"}],
				"tool_choice":{"type":"auto"},"temperature":0.3,"top_k":5}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, 1, r.Images)
				assert.True(t, r.Tools)
				assert.Equal(t, []string{CustomToolType, "web_search_20250305"}, r.ToolTypes)
				assert.Empty(t, r.AgentTools, "server tools are Anthropic's, not OpenAI's agent tools")
				assert.Equal(t, []string{"temperature", "tool_choice", "tools", "top_k"}, r.Params)
				assert.NotContains(t, r.Prompt, "a cat, 3 years", "a tool's output is not the user's question")
				assert.Contains(t, inputText(r), "a cat, 3 years", "but the model reads it")
				assert.Contains(t, inputText(r), `{"q":"cat"}`)
				assert.Contains(t, inputText(r), "look things up")
			},
		},
		{
			name: "search results, documents and tool-result images are read and noted as Anthropic's alone",
			body: `{"model":"m","max_tokens":10,"messages":[
				{"role":"user","content":[{"type":"search_result","source":"https://example.com/a","title":"A","content":[{"type":"text","text":"abc"}]},
				                          {"type":"document","source":{"type":"text","media_type":"text/plain","data":"the report"}},
				                          {"type":"text","text":"summarise"}]},
				{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"shot","input":{}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA"}}]}]},
				{"role":"assistant","content":""}]}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, []string{"search_result blocks", "document blocks", "images inside tool_result"}, r.NativeOnly)
				assert.Contains(t, inputText(r), "the report")
				assert.Equal(t, 1, r.Images)
			},
		},
		{
			name: "routing_config works as on the other APIs",
			body: `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],
				"routing_config":{"mode":"cost","models":["a","b"],"session_affinity":true}}`,
			check: func(t *testing.T, r Request) {
				assert.Equal(t, router.ModeCost, r.Routing.Mode)
				assert.Equal(t, []string{"a", "b"}, r.Routing.Models)
				require.NotNil(t, r.Routing.SessionAffinity)
				assert.Empty(t, r.Params)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(Messages, []byte(tt.body))
			require.NoError(t, err)
			tt.check(t, r)
		})
	}
}

func TestParseMessagesRejects(t *testing.T) {
	tests := []struct {
		name, body, param, inMsg string
	}{
		{"no max_tokens", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "max_tokens", "missing required parameter: 'max_tokens'"},
		{"max_tokens zero", `{"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}`, "max_tokens", "positive integer"},
		{"no messages", `{"model":"m","max_tokens":5}`, "messages", "missing required parameter: 'messages'"},
		{"empty messages", `{"model":"m","max_tokens":5,"messages":[]}`, "messages", "at least one message"},
		{"empty messages creating a thread", `{"model":"m","max_tokens":5,"messages":[],"thread":{"type":"create"}}`, "messages", "at least one message"},
		{"a thread continuation without messages", `{"model":"m","max_tokens":5,"thread":{"type":"continue","previous_message_id":"msg_1"}}`, "messages", "missing required parameter: 'messages'"},
		{"a thread continuation with null messages", `{"model":"m","max_tokens":5,"messages":null,"thread":{"type":"continue","previous_message_id":"msg_1"}}`, "messages", "missing required parameter: 'messages'"},
		{"messages not an array", `{"model":"m","max_tokens":5,"messages":"hi"}`, "messages", "array of message objects"},
		{"system role in messages", `{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]}`, "messages[0].role", "top-level `system`"},
		{"content missing", `{"model":"m","max_tokens":5,"messages":[{"role":"user"}]}`, "messages[0].content", "missing required parameter"},
		{"content a number", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":7}]}`, "messages[0].content", "string or an array of content blocks"},
		{"block without type", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"text":"x"}]}]}`, "messages[0].content[0].type", "missing its type"},
		{"system a number", `{"model":"m","max_tokens":5,"system":3,"messages":[{"role":"user","content":"x"}]}`, "system", "string or an array of text blocks"},
		{"tool without name", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"input_schema":{}}]}`, "tools[0].name", "missing its name"},
		{"stop_sequences a string", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"stop_sequences":"END"}`, "stop_sequences", "array of strings"},
		{"tool_choice a string", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tool_choice":"auto"}`, "tool_choice", "must be an object"},
		{"tool_choice tool without name", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"tool"}}`, "tool_choice.name", "needs the tool's name"},
		{"temperature a string", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"temperature":"hot"}`, "temperature", "must be a number"},
		{"empty user content", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[]}]}`, "messages[0].content", "must not be empty"},
		{"empty assistant turn before the last", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":""},{"role":"user","content":"y"}]}`, "messages[1].content", "must not be empty"},
		{"an image in system", `{"model":"m","max_tokens":5,"system":[{"type":"image","source":{}}],"messages":[{"role":"user","content":"x"}]}`, "system[0]", "text blocks only"},
		{"a malformed text block", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`, "messages[0].content[0]", "not a valid text block"},
		{"a tool_result inside a tool_result", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_result","tool_use_id":"t","content":"x"}]}]}]}`, "messages[0].content[0].content[0]", "tool_result inside a tool_result"},
		// Where an error is, named in full however deep (the names are
		// built only for an error).
		{"a later turn's role", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"},{"role":"tool","content":"z"}]}`, "messages[2].role", `messages[2].role must be "user" or "assistant"`},
		{"a later system block without type", `{"model":"m","max_tokens":5,"system":[{"type":"text","text":"s"},{"text":"t"}],"messages":[{"role":"user","content":"x"}]}`, "system[1].type", "system[1] is missing its type"},
		{"a tool_result's content a number", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},{"role":"user","content":[{"type":"text","text":"y"},{"type":"tool_result","tool_use_id":"t","content":7}]}]}`, "messages[1].content[1].content", "messages[1].content[1].content must be a string or an array of content blocks"},
		{"a tool_result's block not an object", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},5]}]}]}`, "messages[1].content[0].content[1]", "messages[1].content[0].content[1] must be a content block object"},
		{"a tool_result's block without type", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"y"},{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"text":"c"}]}]}]}`, "messages[0].content[1].content[2].type", "messages[0].content[1].content[2] is missing its type"},
		{"a tool_result's malformed text block", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":["a"]}]}]}]}`, "messages[0].content[0].content[0]", "messages[0].content[0].content[0] is not a valid text block"},
		{"metadata not an object", `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"metadata":"u"}`, "metadata", "must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(Messages, []byte(tt.body))
			var re *router.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, router.EInvalid, re.Code)
			assert.Equal(t, tt.param, re.Param)
			assert.Contains(t, re.Message, tt.inMsg)
		})
	}
}

// FuzzParseMessages checks that no Messages body makes the parser panic or
// hang, and that what it accepts is self-consistent.
func FuzzParseMessages(f *testing.F) {
	f.Add(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`)
	f.Add(`{"model":"m","max_tokens":5,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"tool_result","content":[{"type":"image"}]}]}],"tools":[{"name":"x"}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		r, err := Parse(Messages, []byte(body))
		if err != nil {
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
			return
		}
		assert.Positive(t, r.MaxOutputTokens, "max_tokens is required")
		assert.GreaterOrEqual(t, r.TextChars, 0)
		assert.Len(t, r.Opening, 32)
	})
}

// What an OpenAI-compatible model's Chat Completions request cannot carry
// keeps those models out before routing, so the call goes to Claude or is a
// 400 that says why, never a translation that fails at every OpenAI model.
func TestMessagesNativeOnlyStopsAndFileImages(t *testing.T) {
	parse := func(extra, content string) []string {
		t.Helper()
		r, err := Parse(Messages, []byte(`{"model":"m","max_tokens":9`+extra+`,"messages":[{"role":"user","content":`+content+`}]}`))
		require.NoError(t, err)
		return r.NativeOnly
	}
	assert.Empty(t, parse(`,"stop_sequences":["a","b","c","d"]`, `"q"`), "Chat Completions takes 4")
	assert.Equal(t, []string{"more than 4 stop_sequences"}, parse(`,"stop_sequences":["a","b","c","d","e"]`, `"q"`))
	assert.Empty(t, parse("", `[{"type":"image","source":{"type":"url","url":"https://x/y.png"}},{"type":"text","text":"q"}]`))
	assert.Equal(t, []string{`images with a "file" source`},
		parse("", `[{"type":"image","source":{"type":"file","file_id":"file_011CNha8"}},{"type":"text","text":"q"}]`))
}

// Anthropic's SDKs resume a thread's answer that stopped with pause_turn by
// continuing the thread with no new message: the thread holds the
// conversation, so the call is valid and the router reads no text.
func TestParseMessagesThreadContinuationWithNoNewMessage(t *testing.T) {
	r, err := Parse(Messages, []byte(`{"model":"m","max_tokens":5,"messages":[ ],"thread":{"type":"continue","previous_message_id":"msg_1"}}`))
	require.NoError(t, err)
	assert.True(t, r.Resumes)
	assert.Equal(t, ThreadContinue, r.Thread)
	assert.Equal(t, "msg_1", r.PreviousMessageID)
	assert.Empty(t, r.Prompt)
	assert.Zero(t, r.TextChars)

	r, err = Parse(Messages, []byte(`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"go on"}],"thread":{"type":"continue","previous_message_id":"msg_1"}}`))
	require.NoError(t, err)
	assert.False(t, r.Resumes, "a continuation with a message sends something new")

	_, err = Parse(CountTokens, []byte(`{"model":"m","messages":[],"thread":{"type":"continue","previous_message_id":"msg_1"}}`))
	assert.ErrorContains(t, err, "at least one message", "count_tokens has no threads (Anthropic's SDKs send it none): it needs a message, as Anthropic's does")
}

// A Messages call's thinking says whether the model that reads it itself
// (Claude) is asked to think, which its expected cost counts: enabled with
// its budget, adaptive without one; disabled, absent or of an unknown type
// asks for none.
func TestParseMessagesReadsWhetherThinkingIsOn(t *testing.T) {
	for thinking, want := range map[string]struct {
		on     bool
		budget int
	}{
		`{"type":"enabled","budget_tokens":10000}`: {true, 10000},
		`{"type":"adaptive"}`:                      {true, 0},
		`{"type":"disabled"}`:                      {false, 0},
		`null`:                                     {false, 0},
		`{"type":"sometimes"}`:                     {false, 0},
		`"enabled"`:                                {false, 0},
	} {
		r, err := Parse(Messages, []byte(`{"model":"m","max_tokens":20000,"thinking":`+thinking+`,"messages":[{"role":"user","content":"Hi"}]}`))
		require.NoError(t, err, thinking)
		assert.Equal(t, want.on, r.Thinking, thinking)
		assert.Equal(t, want.budget, r.ThinkingBudget, thinking)
	}
	r, err := Parse(Messages, []byte(`{"model":"m","max_tokens":20,"messages":[{"role":"user","content":"Hi"}]}`))
	require.NoError(t, err)
	assert.False(t, r.Thinking, "not set")
}

// A tool_result nested thousands deep (a few hundred KiB of JSON, within
// encoding/json's depth limit) is refused where the nesting starts,
// before the levels below it are read.
func TestParseMessagesRefusesDeeplyNestedToolResults(t *testing.T) {
	const depth = 4000
	open := `[{"type":"tool_result","tool_use_id":"t","content":`
	body := `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":` +
		strings.Repeat(open, depth) + `"x"` + strings.Repeat(`}]`, depth) + `}]}`
	_, err := Parse(Messages, []byte(body))
	var re *router.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, router.EInvalid, re.Code)
	assert.Equal(t, "messages[0].content[0].content[0]", re.Param)
}

// A block's type and a turn's role are read as shared constants when they
// are a known name; anything else reads as optText reads it.
func TestKnownTextReadsAsOptText(t *testing.T) {
	for _, raw := range []string{`"text"`, `"te\u0078t"`, `"tool_result"`, `"texts"`, `""`, `null`, `"user"`, `"a\"b"`, `5`, `"unterminated`} {
		want, wantOK := optText([]byte(raw))
		got, ok := knownText([]byte(raw), messagesBlockTypes)
		assert.Equal(t, wantOK, ok, raw)
		assert.Equal(t, want, got, raw)
	}
}
