package upstream

// With routing_config.require_parameters, a model reached through a
// translation stays eligible for a parameter exactly when the parameter
// reaches its provider. These tests hold Drops to what the translations
// send: the body the provider gets is the same with or without a
// parameter Drops names (or the router's own rules refuse for the model),
// and differs for every other one.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

var (
	carriedProviders = Providers{ByName: map[string]Provider{
		"openai":    {Name: "openai", Kind: KindOpenAI, BaseURL: "http://127.0.0.1:1/v1"},
		"anthropic": {Name: "anthropic", Kind: KindAnthropic, BaseURL: "http://127.0.0.1:1"},
	}}
	carriedClaude = router.Model{ID: "claude", Name: "claude-x", Provider: "anthropic", Format: "Anthropic", MaxOutput: 8192,
		Capabilities: router.Capabilities{Tools: true, Vision: true}}
	carriedGPT = router.Model{ID: "gpt", Name: "gpt-x", Provider: "openai", Format: "OpenAI",
		Capabilities: router.Capabilities{Tools: true, StructuredOutput: true}}
	carriedReasoner = router.Model{ID: "o", Name: "o-x", Provider: "openai", Format: "OpenAI",
		Capabilities: router.Capabilities{Reasoning: true, Tools: true}}
)

// sent is the body m's provider gets for a call of api, as Forwarder
// builds it.
func sent(t *testing.T, api API, m router.Model, body string) string {
	t.Helper()
	var out []byte
	var err error
	switch api {
	case APIChatCompletions:
		out, err = ToAnthropic([]byte(body), m)
	case APIResponses:
		out, err = ResponsesToAnthropic([]byte(body), m)
	case APIMessages:
		if out, err = MessagesToChat([]byte(body), m); err == nil {
			out, err = RewriteOpenAI(out, APIChatCompletions, m)
		}
	}
	require.NoError(t, err, body)
	return string(out)
}

// with adds member k: v to a JSON object body.
func with(body, k, v string) string {
	return strings.TrimSuffix(body, "}") + `,"` + k + `":` + v + "}"
}

func TestDropsNamesExactlyWhatATranslationDoesNotSend(t *testing.T) {
	type param struct{ name, value string }
	cases := []struct {
		name   string
		api    API
		m      router.Model
		base   string
		params []param
	}{
		{"chat to claude", APIChatCompletions, carriedClaude,
			`{"model":"r","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}`,
			[]param{{"presence_penalty", `0.5`}, {"frequency_penalty", `0.5`}, {"seed", `7`}, {"service_tier", `"auto"`},
				{"prompt_cache_key", `"k"`}, {"reasoning_effort", `"low"`}, {"verbosity", `"low"`},
				{"temperature", `0.5`}, {"top_p", `0.9`}, {"stop", `"END"`}, {"max_tokens", `100`},
				{"max_completion_tokens", `100`}, {"tool_choice", `"required"`}, {"parallel_tool_calls", `false`},
				{"safety_identifier", `"h1"`}, {"prediction", `{"type":"content","content":"x"}`},
				{"prompt_cache_retention", `"24h"`}, {"modalities", `["text"]`}, {"store", `true`}, {"metadata", `{"k":"v"}`}}},
		{"responses to claude", APIResponses, carriedClaude,
			`{"model":"r","input":"hi","tools":[{"type":"function","name":"f"}]}`,
			[]param{{"truncation", `"auto"`}, {"reasoning", `{"effort":"low"}`}, {"service_tier", `"auto"`},
				{"text", `{"verbosity":"low"}`}, {"max_tool_calls", `3`}, {"include", `["reasoning.encrypted_content"]`},
				{"temperature", `0.5`}, {"top_p", `0.9`}, {"max_output_tokens", `100`},
				{"tool_choice", `"required"`}, {"parallel_tool_calls", `false`}, {"safety_identifier", `"h1"`},
				{"prompt_cache_key", `"k"`}, {"prompt_cache_retention", `"24h"`}}},
		{"messages to a chat model", APIMessages, carriedGPT,
			`{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"type":"object"}}]}`,
			[]param{{"top_k", `5`}, {"service_tier", `"auto"`}, {"thinking", `{"type":"enabled","budget_tokens":2048}`},
				{"output_config", `{"effort":"low"}`}, {"output_config", `{"format":{"type":"json_schema","schema":` + strictAnswer + `}}`},
				{"output_format", `{"type":"json_schema","schema":` + strictAnswer + `}`},
				{"temperature", `0.5`}, {"top_p", `0.9`}, {"stop_sequences", `["END"]`}, {"tool_choice", `{"type":"any"}`}}},
		{"messages to a reasoning chat model", APIMessages, carriedReasoner,
			`{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"type":"object"}}]}`,
			[]param{{"top_k", `5`}, {"thinking", `{"type":"enabled","budget_tokens":2048}`}, {"output_config", `{"effort":"low"}`},
				{"temperature", `0.5`}, {"stop_sequences", `["END"]`}, {"tool_choice", `{"type":"any"}`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			without := sent(t, tc.api, tc.m, tc.base)
			for _, p := range tc.params {
				body := with(tc.base, p.name, p.value)
				lost, _ := carriedProviders.Drops(tc.m, tc.api, []byte(body), []string{p.name})
				dropped := slices.Contains(lost, p.name)
				refused := !router.SupportsParam(tc.m, p.name)
				if dropped || refused {
					assert.Equal(t, without, sent(t, tc.api, tc.m, body), "%s: %s is left out, so the provider gets the body without it", p.name, p.value)
				} else {
					assert.NotEqual(t, without, sent(t, tc.api, tc.m, body), "%s: %s is kept, so it must reach the provider", p.name, p.value)
				}
			}
		})
	}
}

// strictAnswer is a JSON schema OpenAI's strict mode takes: every object
// closed, every property required.
const strictAnswer = `{"type":"object","properties":{"answer":{"type":"number"},"steps":{"type":"array","items":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}}},"required":["answer","steps"],"additionalProperties":false}`

// A Messages call's output_config.format reaches a Chat Completions model
// as its json_schema response_format. It counts as carried (for
// require_parameters) only where it holds the answer to the schema as
// Claude does: strict, for a model with structured output. A schema
// outside OpenAI's strict rules goes without strict, so the provider does
// not refuse it, and counts as changed, saying which rule of strict mode
// it breaks.
func TestDropsNamesAMessagesFormatOnlyWhereItDoesNotHoldTheAnswerToItsSchema(t *testing.T) {
	const base = `{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	format := func(schema string) string {
		return with(base, "output_config", `{"format":{"type":"json_schema","schema":`+schema+`}}`)
	}
	optional := `{"type":"object","properties":{"answer":{"type":"number"},"note":{"type":"string"}},"required":["answer"],"additionalProperties":false}`
	open := `{"type":"object","properties":{"answer":{"type":"number"}},"required":["answer"]}`
	bounded := `{"type":"object","properties":{"name":{"type":"string","minLength":1}},"required":["name"],"additionalProperties":false}`
	cases := []struct {
		name    string
		m       router.Model
		body    string
		dropped []string
		why     string
		sent    string
	}{
		{"a strict schema", carriedGPT, format(strictAnswer), nil, "",
			`"response_format":{"type":"json_schema","json_schema":{"name":"response","schema":` + strictAnswer + `,"strict":true}}`},
		{"an optional property", carriedGPT, format(optional), []string{"output_config"},
			`output_config.format.schema: $.properties.note is not in "required", which strict mode requires of every property`,
			`"response_format":{"type":"json_schema","json_schema":{"name":"response","schema":` + optional + `,"strict":false}}`},
		{"an object left open", carriedGPT, format(open), []string{"output_config"},
			`output_config.format.schema: $ is an object without "additionalProperties": false, which strict mode requires`, `"strict":false`},
		{"a keyword outside strict mode", carriedGPT, format(bounded), []string{"output_config"},
			`output_config.format.schema: $.properties.name uses "minLength", which strict mode does not support`,
			`"response_format":{"type":"json_schema","json_schema":{"name":"response","schema":` + bounded + `,"strict":false}}`},
		{"with an effort the model does not take", carriedGPT,
			with(base, "output_config", `{"effort":"low","format":{"type":"json_schema","schema":`+strictAnswer+`}}`),
			[]string{"output_config"}, "", `"strict":true`},
		{"a model without structured output", carriedReasoner, format(strictAnswer), []string{"output_config"}, "", `"response_format"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dropped, why := carriedProviders.Drops(tc.m, APIMessages, []byte(tc.body), []string{"output_config"})
			assert.Equal(t, tc.dropped, dropped)
			assert.Equal(t, tc.why, why)
			assert.Contains(t, sent(t, APIMessages, tc.m, tc.body), tc.sent)
		})
	}

	// The structured outputs beta's first form, a top-level output_format,
	// is the same format and counts the same way.
	legacy := func(schema string) string {
		return with(base, "output_format", `{"type":"json_schema","schema":`+schema+`}`)
	}
	dropped, why := carriedProviders.Drops(carriedGPT, APIMessages, []byte(legacy(strictAnswer)), []string{"output_format"})
	assert.Empty(t, dropped)
	assert.Empty(t, why)
	assert.Contains(t, sent(t, APIMessages, carriedGPT, legacy(strictAnswer)), `"strict":true`)
	dropped, why = carriedProviders.Drops(carriedGPT, APIMessages, []byte(legacy(bounded)), []string{"output_format"})
	assert.Equal(t, []string{"output_format"}, dropped)
	assert.Equal(t, `output_format.schema: $.properties.name uses "minLength", which strict mode does not support`, why)
	assert.Contains(t, sent(t, APIMessages, carriedGPT, legacy(bounded)), `"strict":false`)
}

// A Messages tool that asks for strict but reaches a model without it
// counts tools as changed, and says which tool and why: the model has no
// structured output, or the rule of strict mode its schema breaks. A tool
// that is strict there, or asks for no strict, changes nothing.
func TestDropsNamesTheStrictToolThatGoesWithoutStrict(t *testing.T) {
	const base = `{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	open := `{"type":"object","properties":{"answer":{"type":"number"}},"required":["answer"]}`
	tools := func(list ...string) string { return with(base, "tools", "["+strings.Join(list, ",")+"]") }
	tool := func(name, schema string, strict bool) string {
		return fmt.Sprintf(`{"name":%q,"strict":%t,"input_schema":%s}`, name, strict, schema)
	}
	cases := []struct {
		name    string
		m       router.Model
		body    string
		dropped []string
		why     string
	}{
		{"strict within the rules", carriedGPT, tools(tool("a", strictAnswer, true), tool("b", open, false)), nil, ""},
		{"strict outside the rules", carriedGPT, tools(tool("a", strictAnswer, true), tool("b", open, true)), []string{"tools"},
			`tools[1].input_schema: $ is an object without "additionalProperties": false, which strict mode requires`},
		{"a model without structured output", carriedReasoner, tools(tool("a", strictAnswer, true)), []string{"tools"},
			"tools[0].strict: the model has no structured output, which a strict function needs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dropped, why := carriedProviders.Drops(tc.m, APIMessages, []byte(tc.body), []string{"tools"})
			assert.Equal(t, tc.dropped, dropped)
			assert.Equal(t, tc.why, why)
		})
	}
}

// Parameters a translation reads but changes on the way count as dropped:
// the provider does not get them as the client sent them.
func TestDropsNamesWhatATranslationChanges(t *testing.T) {
	const chat = `{"model":"r","messages":[{"role":"user","content":"hi"}]}`
	cases := []struct {
		name    string
		body    string
		params  []string
		dropped []string
		sent    string // a piece of what the provider gets
		absent  string // and one it does not
	}{
		{"temperature above Claude's 1", with(chat, "temperature", "1.5"), []string{"temperature"}, []string{"temperature"}, `"temperature":1`, `1.5`},
		{"temperature within Claude's range", with(chat, "temperature", "0.7"), []string{"temperature"}, nil, `"temperature":0.7`, ""},
		{"top_p beside temperature", with(with(chat, "temperature", "0.7"), "top_p", "0.9"), []string{"temperature", "top_p"}, []string{"top_p"}, `"temperature":0.7`, `"top_p"`},
		{"top_p alone", with(chat, "top_p", "0.9"), []string{"top_p"}, nil, `"top_p":0.9`, ""},
		{"a blank stop sequence", with(chat, "stop", `["\n","END"]`), []string{"stop"}, []string{"stop"}, `"stop_sequences":["END"]`, `\n`},
		{"stop sequences Claude takes", with(chat, "stop", `["END"]`), []string{"stop"}, nil, `"stop_sequences":["END"]`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dropped, why := carriedProviders.Drops(carriedClaude, APIChatCompletions, []byte(tc.body), tc.params)
			assert.Equal(t, tc.dropped, dropped)
			assert.Empty(t, why)
			got := sent(t, APIChatCompletions, carriedClaude, tc.body)
			assert.Contains(t, got, tc.sent)
			if tc.absent != "" {
				assert.NotContains(t, got, tc.absent)
			}
		})
	}
}

// A provider that speaks the call's API gets every parameter as sent (it
// judges what it takes), so nothing is dropped on the way.
func TestDropsNothingWithoutATranslation(t *testing.T) {
	chat := `{"model":"r","messages":[{"role":"user","content":"hi"}],"seed":7,"presence_penalty":0.5}`
	dropped, _ := carriedProviders.Drops(carriedGPT, APIChatCompletions, []byte(chat), []string{"presence_penalty", "seed"})
	assert.Empty(t, dropped)
	messages := `{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"top_k":5}`
	dropped, _ = carriedProviders.Drops(carriedClaude, APIMessages, []byte(messages), []string{"top_k"})
	assert.Empty(t, dropped)
	unconfigured := carriedGPT
	unconfigured.Provider = "mistral"
	dropped, _ = Providers{}.Drops(unconfigured, APIMessages, []byte(messages), []string{"top_k"})
	assert.Empty(t, dropped)
}

// A Messages call's thinking and output_config.effort reach an
// OpenAI-compatible reasoning model as a reasoning_effort the translation
// derives, which the model then gets mapped to the nearest value it takes.
// DerivedEffort is the value before that mapping, for require_parameters
// to hold to the model's efforts; it is empty where no effort is derived.
func TestDerivedEffortIsTheEffortATranslationAsksTheModelFor(t *testing.T) {
	const base = `{"model":"r","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	highOnly := carriedReasoner
	highOnly.Capabilities.ReasoningEfforts = []string{"high"}
	upToHigh := carriedReasoner // gpt-5's efforts
	upToHigh.Capabilities.ReasoningEfforts = []string{"minimal", "low", "medium", "high"}
	upToXhigh := carriedReasoner // gpt-5.2's
	upToXhigh.Capabilities.ReasoningEfforts = []string{"none", "low", "medium", "high", "xhigh"}
	cases := []struct {
		name    string
		m       router.Model
		api     API
		body    string
		derived string
		sent    string // the reasoning_effort the provider gets, "" for none
	}{
		{"a small thinking budget", carriedReasoner, APIMessages, with(base, "thinking", `{"type":"enabled","budget_tokens":2048}`), "low", "low"},
		{"output_config.effort", carriedReasoner, APIMessages, with(base, "output_config", `{"effort":"medium"}`), "medium", "medium"},
		{"an effort the model does not list", highOnly, APIMessages, with(base, "thinking", `{"type":"enabled","budget_tokens":2048}`), "low", "high"},
		// Anthropic's efforts go on OpenAI's scale by name, up to max;
		// each model gets the nearest it takes.
		{"max on a model that takes xhigh", upToXhigh, APIMessages, with(base, "output_config", `{"effort":"max"}`), "max", "xhigh"},
		{"max on a model whose highest is high", upToHigh, APIMessages, with(base, "output_config", `{"effort":"max"}`), "max", "high"},
		{"xhigh on a model that takes it", upToXhigh, APIMessages, with(base, "output_config", `{"effort":"xhigh"}`), "xhigh", "xhigh"},
		{"xhigh on a model whose highest is high", upToHigh, APIMessages, with(base, "output_config", `{"effort":"xhigh"}`), "xhigh", "high"},
		// A thinking budget asks for at most high: no budget is
		// documented as more.
		{"ultrathink on a model that takes xhigh", upToXhigh, APIMessages, with(base, "thinking", `{"type":"enabled","budget_tokens":31999}`), "high", "high"},
		{"no thinking", carriedReasoner, APIMessages, base, "", ""},
		{"a model that does not reason", carriedGPT, APIMessages, with(base, "thinking", `{"type":"enabled","budget_tokens":2048}`), "", ""},
		{"Claude reads thinking itself", carriedClaude, APIMessages, with(base, "thinking", `{"type":"enabled","budget_tokens":2048}`), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.derived, carriedProviders.DerivedEffort(tc.m, tc.api, []byte(tc.body)))
			if tc.m.Provider == "anthropic" {
				return
			}
			var got struct {
				ReasoningEffort string `json:"reasoning_effort"`
			}
			require.NoError(t, json.Unmarshal([]byte(sent(t, tc.api, tc.m, tc.body)), &got))
			assert.Equal(t, tc.sent, got.ReasoningEffort)
		})
	}
	chat := `{"model":"r","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"low"}`
	assert.Empty(t, carriedProviders.DerivedEffort(carriedReasoner, APIChatCompletions, []byte(chat)),
		"a client's own reasoning_effort is the router's to check, not derived")
}
