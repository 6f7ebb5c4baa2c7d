package server

import (
	"testing"
)

// A Messages tool's description, input_schema and strict, and
// tool_choice's disable_parallel_tool_use, named in another case, are
// refused before routing. The translation to Chat Completions decodes them
// with encoding/json, which takes "Input_Schema" for "input_schema": a
// tool {"input_schema": A, "Input_Schema": B} reached an OpenAI model with
// B as its parameters, while Anthropic reads A (and refuses B as an extra
// input), and "Disable_Parallel_Tool_Use": true sent parallel_tool_calls
// false where Claude would call tools in parallel.
func TestAMessagesToolOrToolChoiceMemberTheChatTranslationReadsInAnotherCaseIsRefused(t *testing.T) {
	const (
		head = `{"model":"model-router","routing_config":{"models":["mini"]},"max_tokens":64,"messages":[{"role":"user","content":"Hello"}],`
		tool = `{"name":"f","description":"Looks up","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}`
	)
	for name, tt := range map[string]struct{ body, member, known string }{
		"tool Input_Schema": {head + `"tools":[` + tool + `,"Input_Schema":{"type":"object","properties":{"b":{"type":"string"}}}}]}`,
			"tools[0].Input_Schema", "tools[0].input_schema"},
		"tool Description": {head + `"tools":[` + tool + `},` + tool + `,"DESCRIPTION":"Deletes"}]}`,
			"tools[1].DESCRIPTION", "tools[1].description"},
		"tool Strict": {head + `"tools":[` + tool + `,"strict":false,"Strict":true}]}`,
			"tools[0].Strict", "tools[0].strict"},
		"tool_choice Disable_Parallel_Tool_Use": {head + `"tools":[` + tool + `}],"tool_choice":{"type":"auto","Disable_Parallel_Tool_Use":true}}`,
			"tool_choice.Disable_Parallel_Tool_Use", "tool_choice.disable_parallel_tool_use"},
	} {
		t.Run(name, func(t *testing.T) {
			requireCaseVariantRefused(t, "/v1/messages", tt.body, tt.member, tt.known)
		})
	}
}
