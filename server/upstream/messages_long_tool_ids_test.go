package upstream_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// OpenAI refuses a tool call id over 40 characters ("Invalid
// 'messages[2].tool_calls[0].id': string too long. Expected a string with
// maximum length 40"), with a 400 that does not fail over. A Messages
// conversation can hold longer ones: an answer of a server whose ids do not
// fit Anthropic's pattern (Kimi's "functions.<tool>:<n>") comes back as
// that id made to fit, 9 characters longer, and an MCP tool's name is long.
// Such an id reaches an OpenAI-format model shortened, each call and its
// result alike, and two ids stay two.
func TestMessagesLongToolIDsReachAnOpenAIModelShortenedAlike(t *testing.T) {
	long1 := "functions_mcp__github__create_pull_request_0_1a2b3c4d"
	long2 := "functions_mcp__github__create_pull_request_1_5e6f7a8b"
	short := "toolu_01A09q90qw90lq917835lq9"
	body := `{"model":"r","max_tokens":50,"messages":[
		{"role":"user","content":"open two PRs and read a file"},
		{"role":"assistant","content":[
			{"type":"tool_use","id":"` + long1 + `","name":"mcp__github__create_pull_request","input":{}},
			{"type":"tool_use","id":"` + long2 + `","name":"mcp__github__create_pull_request","input":{}},
			{"type":"tool_use","id":"` + short + `","name":"read","input":{}}]},
		{"role":"user","content":[
			{"type":"tool_result","tool_use_id":"` + long1 + `","content":"PR 1"},
			{"type":"tool_result","tool_use_id":"` + long2 + `","content":"PR 2"},
			{"type":"tool_result","tool_use_id":"` + short + `","content":"text"}]}]}`
	out, err := upstream.MessagesToChat([]byte(body), openAIModel("model-a"))
	require.NoError(t, err)
	var chat struct {
		Messages []struct {
			Role       string `json:"role"`
			ToolCallID string `json:"tool_call_id"`
			ToolCalls  []struct {
				ID string `json:"id"`
			} `json:"tool_calls"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(out, &chat), "%s", out)
	require.Len(t, chat.Messages, 5, "%s", out)
	calls := chat.Messages[1].ToolCalls
	require.Len(t, calls, 3)
	for i, c := range calls {
		assert.LessOrEqual(t, len(c.ID), 40, "tool_calls[%d].id %q", i, c.ID)
		assert.Equal(t, c.ID, chat.Messages[2+i].ToolCallID, "the result names its call's id")
	}
	assert.NotEqual(t, calls[0].ID, calls[1].ID, "two ids stay two")
	assert.Equal(t, short, calls[2].ID, "an id that fits goes as it is")
}
