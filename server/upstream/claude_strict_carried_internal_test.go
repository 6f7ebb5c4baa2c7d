package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
)

// With require_parameters, a strict function that reaches Claude without
// strict counts as a tools member not carried as sent, on Chat Completions
// and Responses alike; one held to its schema is carried.
func TestClaudeLoosenedStrictToolIsADroppedParameter(t *testing.T) {
	claude := carriedClaude
	claude.Capabilities.StructuredOutput = true
	closedSchema := `{"type":"object","properties":{"q":{"type":"string"}},"additionalProperties":false}`
	bounded := `{"type":"object","properties":{"q":{"type":"string","minLength":2}},"additionalProperties":false}`
	chat := func(schema string) string {
		return `{"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":` + schema + `}}]}`
	}
	resp := func(schema string) string {
		return `{"input":"hi","tools":[{"type":"function","name":"f","strict":true,"parameters":` + schema + `}]}`
	}
	cases := []struct {
		name  string
		api   API
		m     router.Model
		body  string
		drops bool
	}{
		{"chat, a schema Claude takes", APIChatCompletions, claude, chat(closedSchema), false},
		{"chat, minLength", APIChatCompletions, claude, chat(bounded), true},
		{"chat, no structured output", APIChatCompletions, carriedClaude, chat(closedSchema), true},
		{"responses, a schema Claude takes", APIResponses, claude, resp(closedSchema), false},
		{"responses, minLength", APIResponses, claude, resp(bounded), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lost, _ := carriedProviders.Drops(tc.m, tc.api, []byte(tc.body), []string{"tools"})
			if tc.drops {
				assert.Equal(t, []string{"tools"}, lost)
			} else {
				assert.Empty(t, lost)
			}
		})
	}
}
