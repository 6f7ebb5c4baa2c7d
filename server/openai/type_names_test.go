package openai

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// A type name is echoed in the reason of every model that cannot take
// it; one of a megabyte would be repeated in the answer and the decision
// log once per model. It is refused, and not repeated in the refusal.
func TestParseRefusesOverlongTypeNames(t *testing.T) {
	long := strings.Repeat("t", 1<<20)
	tests := []struct {
		name  string
		api   API
		body  string
		param string
	}{
		{"chat tool", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}},{"type":"` + long + `"}]}`, "tools[1].type"},
		{"chat reasoning_effort", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"` + long + `"}`, "reasoning_effort"},
		{"responses reasoning effort", Responses, `{"model":"m","input":"x","reasoning":{"effort":"` + long + `"}}`, "reasoning.effort"},
		{"chat response_format", Chat, `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"` + long + `"}}`, "response_format.type"},
		{"responses text format", Responses, `{"model":"m","input":"x","text":{"format":{"type":"` + long + `"}}}`, "text.format.type"},
		{"responses tool", Responses, `{"model":"m","input":"x","tools":[{"type":"` + long + `"}]}`, "tools[0].type"},
		{"messages tool", Messages, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"` + long + `"}]}`, "tools[0].type"},
		{"messages block", Messages, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"` + long + `"}]}]}`, "messages[0].content[1].type"},
		{"messages image source", Messages, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"` + long + `"}}]}]}`, "messages[0].content[0].source.type"},
		{"messages image in a later tool_result", Messages, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},{"type":"image","source":{"type":"` + long + `"}}]}]}]}`, "messages[1].content[0].content[1].source.type"},
		{"messages output format", Messages, `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"output_config":{"format":{"type":"` + long + `"}}}`, "output_config.format.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.api, []byte(tt.body))
			var re *router.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, router.EInvalid, re.Code)
			assert.Equal(t, tt.param, re.Param)
			assert.Less(t, len(re.Message), 200, "the name is not repeated")
		})
	}
}

// A request names a few kinds of tools and content; tens of thousands of
// distinct made-up ones (each compared with every other) are refused.
func TestParseRefusesMoreDistinctTypesThanTheBound(t *testing.T) {
	types := func(format string, n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(format, i)
		}
		return strings.Join(parts, ",")
	}
	tests := []struct {
		name  string
		api   API
		body  func(n int) string
		param string
	}{
		{"chat tool types", Chat, func(n int) string {
			return `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[` + types(`{"type":"t%d"}`, n) + `]}`
		}, "tools"},
		{"messages tool types", Messages, func(n int) string {
			return `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[` + types(`{"type":"t%d"}`, n) + `]}`
		}, "tools"},
		{"messages block types", Messages, func(n int) string {
			return `{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[` + types(`{"type":"t%d"}`, n) + `]}]}`
		}, "messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.api, []byte(tt.body(maxTypeNames)))
			require.NoError(t, err, "as many as the bound are taken")
			_, err = Parse(tt.api, []byte(tt.body(maxTypeNames+1)))
			var re *router.Error
			require.ErrorAs(t, err, &re)
			assert.Equal(t, router.EInvalid, re.Code)
			assert.Equal(t, tt.param, re.Param)
			assert.Contains(t, re.Message, fmt.Sprintf("more than %d distinct", maxTypeNames))
		})
	}
}

// An id only OpenAI can resolve is named in the reason each other model
// is left out with: by a bounded part of it.
func TestStoredAtOpenAINamesALongIDByItsStart(t *testing.T) {
	id := "conv_" + strings.Repeat("x", 1<<20)
	r, err := Parse(Responses, []byte(`{"model":"m","input":"x","conversation":"`+id+`"}`))
	require.NoError(t, err)
	assert.Less(t, len(r.StoredAtOpenAI), 100)
	assert.True(t, strings.HasPrefix(r.StoredAtOpenAI, "conversation conv_xxx"), r.StoredAtOpenAI[:40])

	r, err = Parse(Responses, []byte(`{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"file-`+strings.Repeat("y", 1<<20)+`"}]}]}`))
	require.NoError(t, err)
	assert.Less(t, len(r.StoredAtOpenAI), 100)
	assert.True(t, strings.HasPrefix(r.StoredAtOpenAI, "file file-yyy"), r.StoredAtOpenAI[:40])
}
