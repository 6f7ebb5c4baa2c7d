package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// A nested member that routing, pricing, a capability filter or a limit
// reads, named in another case, is refused before routing as a top-level
// one is. Each reader decoded it with encoding/json, which takes "Type"
// for "type", while a provider that reads exact names does not: a Chat
// tool {"type": "web_search_preview", "Type": "function"} was routed as a
// function tool and run by OpenAI as web search, a Responses
// {"Effort": "high"} priced at one effort and run at another.
func TestANestedMemberRoutingReadsInAnotherCaseIsRefusedBeforeRouting(t *testing.T) {
	const (
		head  = `{"model":"model-router","routing_config":{"models":["mini"]},`
		msgs  = `"messages":[{"role":"user","content":"Hello"}]`
		fn    = `{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}`
		rfn   = `{"type":"function","name":"f","parameters":{"type":"object"}}`
		atool = `{"name":"f","input_schema":{"type":"object"}}`
	)
	for name, tt := range map[string]struct{ path, body, member, known string }{
		"chat tools Type": {"/v1/chat/completions",
			head + msgs + `,"tools":[{"type":"web_search_preview","Type":"function"}]}`,
			"tools[0].Type", "tools[0].type"},
		"chat tools function Name": {"/v1/chat/completions",
			head + msgs + `,"tools":[` + fn + `,{"type":"function","function":{"name":"g","NAME":"h"}}]}`,
			"tools[1].function.NAME", "tools[1].function.name"},
		"chat functions Name": {"/v1/chat/completions",
			head + msgs + `,"functions":[{"name":"f","Name":"g"}]}`,
			"functions[0].Name", "functions[0].name"},
		"chat response_format Type": {"/v1/chat/completions",
			head + msgs + `,"response_format":{"type":"text","Type":"json_schema"}}`,
			"response_format.Type", "response_format.type"},
		"chat stream_options Include_Usage": {"/v1/chat/completions",
			head + msgs + `,"stream":true,"stream_options":{"Include_Usage":true}}`,
			"stream_options.Include_Usage", "stream_options.include_usage"},
		"chat tool_choice Type": {"/v1/chat/completions",
			head + msgs + `,"tools":[` + fn + `],"tool_choice":{"Type":"function","function":{"name":"f"}}}`,
			"tool_choice.Type", "tool_choice.type"},
		"chat messages Content": {"/v1/chat/completions",
			head + `"messages":[{"role":"user","content":"Hi","Content":"a much longer prompt"}]}`,
			"messages[0].Content", "messages[0].content"},
		"responses tools Type": {"/v1/responses",
			head + `"input":"Hello","tools":[` + rfn + `,{"type":"web_search_preview","TYPE":"function","name":"g"}]}`,
			"tools[1].TYPE", "tools[1].type"},
		"responses reasoning Effort": {"/v1/responses",
			head + `"input":"Hello","reasoning":{"effort":"low","Effort":"high"}}`,
			"reasoning.Effort", "reasoning.effort"},
		"responses reasoning escaped Effort": {"/v1/responses",
			head + `"input":"Hello","reasoning":{"\u0045ffort":"high"}}`,
			"reasoning.Effort", "reasoning.effort"},
		"responses text Verbosity": {"/v1/responses",
			head + `"input":"Hello","text":{"Verbosity":"high"}}`,
			"text.Verbosity", "text.verbosity"},
		"responses text format Type": {"/v1/responses",
			head + `"input":"Hello","text":{"format":{"Type":"json_schema","name":"x","schema":{"type":"object"}}}}`,
			"text.format.Type", "text.format.type"},
		"responses tool_choice Type": {"/v1/responses",
			head + `"input":"Hello","tools":[` + rfn + `],"tool_choice":{"Type":"function","name":"f"}}`,
			"tool_choice.Type", "tool_choice.type"},
		"responses input Type": {"/v1/responses",
			head + `"input":[{"type":"message","role":"user","content":"Hi","Type":"function_call_output"}]}`,
			"input[0].Type", "input[0].type"},
		"responses prompt Id": {"/v1/responses",
			head + `"input":"Hello","prompt":{"Id":"pmpt_1"}}`,
			"prompt.Id", "prompt.id"},
		"messages tools Type": {"/v1/messages",
			head + `"max_tokens":5,` + msgs + `,"tools":[` + atool + `,{"name":"web_search","Type":"web_search_20250305"}]}`,
			"tools[1].Type", "tools[1].type"},
		"messages thinking Budget_Tokens": {"/v1/messages",
			head + `"max_tokens":5000,` + msgs + `,"thinking":{"type":"enabled","budget_tokens":1024,"Budget_Tokens":4000}}`,
			"thinking.Budget_Tokens", "thinking.budget_tokens"},
		"messages tool_choice Type": {"/v1/messages",
			head + `"max_tokens":5,` + msgs + `,"tools":[` + atool + `],"tool_choice":{"type":"auto","Type":"none"}}`,
			"tool_choice.Type", "tool_choice.type"},
		"messages output_config Effort": {"/v1/messages",
			head + `"max_tokens":5,` + msgs + `,"output_config":{"Effort":"high"}}`,
			"output_config.Effort", "output_config.effort"},
		"messages output_config format Type": {"/v1/messages",
			head + `"max_tokens":5,` + msgs + `,"output_config":{"format":{"Type":"json_schema","schema":{"type":"object"}}}}`,
			"output_config.format.Type", "output_config.format.type"},
		"messages metadata User_Id": {"/v1/messages",
			head + `"max_tokens":5,` + msgs + `,"metadata":{"User_Id":"u1"}}`,
			"metadata.User_Id", "metadata.user_id"},
	} {
		t.Run(name, func(t *testing.T) {
			requireCaseVariantRefused(t, tt.path, tt.body, tt.member, tt.known)
		})
	}
}

// A nested member named exactly twice is read as before: routing and the
// provider both take the later copy, so nothing is refused.
func TestANestedMemberNamedTwiceInTheSameCaseIsForwarded(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/responses",
		`{"model":"model-router","routing_config":{"models":["mini"]},"input":"Hello","reasoning":{"effort":"low","effort":"high"}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.Len(t, e.openai.Requests(), 1)
}
