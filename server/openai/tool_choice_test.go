package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A tool_choice whose tools come from elsewhere, or that the API takes
// without tools, is not refused for the call declaring none.
func TestToolChoiceWithToolsFromElsewhereIsAccepted(t *testing.T) {
	for _, tt := range []struct {
		name string
		api  API
		body string
	}{
		{"a Messages thread continuation: the thread holds the tools", Messages,
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"go on"}],"tool_choice":{"type":"any"},"thread":{"type":"continue","previous_message_id":"msg_1"}}`},
		{"Messages with MCP servers, whose tools the connector brings", Messages,
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"any"},"mcp_servers":[{"type":"url","url":"https://mcp.example.com/sse","name":"ex"}]}`},
		{"count_tokens, which calls no model", CountTokens,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"any"}}`},
		{"a Responses stored prompt, which may declare the tools", Responses,
			`{"model":"m","prompt":{"id":"pmpt_1"},"tool_choice":"required"}`},
		{"Chat Completions legacy functions", Chat,
			`{"model":"m","messages":[{"role":"user","content":"x"}],"functions":[{"name":"f"}],"tool_choice":"auto"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.api, []byte(tt.body))
			assert.NoError(t, err)
		})
	}
}
