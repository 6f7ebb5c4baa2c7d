package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// thinkingLoopWithoutThinking decides whether Claude is sent a body with
// its thinking dropped: only when Anthropic would refuse it with a 400.
func TestThinkingLoopWithoutThinking(t *testing.T) {
	const on = `"thinking":{"type":"enabled","budget_tokens":2048},`
	const toolResult = `{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"}]}`
	cases := []struct {
		name, body string
		want       bool
	}{
		{"tool_use first", `{` + on + `"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, true},
		{"text then tool_use", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"text","text":"Let me look."},{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, true},
		{"server_tool_use", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"server_tool_use","id":"s1","name":"web_search","input":{}}]},` + toolResult + `]}`, true},
		{"adaptive", `{"thinking":{"type":"adaptive"},"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, true},
		{"thinking first", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"redacted_thinking first", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"redacted_thinking","data":"x"},{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"no tool call", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"text","text":"Hello."}]},{"role":"user","content":"hi"}]}`, false},
		{"string content", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `,{"role":"assistant","content":"Sunny."},{"role":"user","content":"thanks"}]}`, false},
		{"empty content", `{` + on + `"messages":[{"role":"assistant","content":[]},{"role":"user","content":"hi"}]}`, false},
		{"null content", `{` + on + `"messages":[{"role":"assistant","content":null},{"role":"user","content":"hi"}]}`, false},
		// Only the last assistant turn counts: an earlier tool call without
		// thinking was answered before thinking was on.
		{"earlier turn calls tools", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t0","name":"w","input":{}}]},` + toolResult +
			`,{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"last assistant not last message", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `,{"role":"user","content":"and tomorrow?"}]}`, true},
		{"escaped type", `{` + on + `"messages":[{"role":"assistant","content":[{"type":"tool\u005fuse","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, true},
		{"duplicate role, last wins", `{` + on + `"messages":[{"role":"assistant","role":"user","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"null message and block", `{` + on + `"messages":[null,{"role":"assistant","content":[null,{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, true},
		{"no assistant turn", `{` + on + `"messages":[{"role":"user","content":"hi"}]}`, false},
		{"thinking disabled", `{"thinking":{"type":"disabled"},"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"thinking absent", `{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"thinking of another shape", `{"thinking":true,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"thinking without type", `{"thinking":{},"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		// Anthropic refuses these bodies for themselves; the thinking
		// stays, so its error is the one about them.
		{"messages not an array", `{` + on + `"messages":{"role":"assistant"}}`, false},
		{"messages null", `{` + on + `"messages":null}`, false},
		{"messages absent", `{` + on + `"max_tokens":10}`, false},
		{"a message not an object", `{` + on + `"messages":["hi",{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"a role not a string", `{` + on + `"messages":[{"role":1,"content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"a block not an object", `{` + on + `"messages":[{"role":"assistant","content":["x",{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"a block type not a string", `{` + on + `"messages":[{"role":"assistant","content":[{"type":7},{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		// Names match exactly, as Anthropic reads them: "Type" is not a
		// block's type, "Role" not a turn's role, "Thinking" not thinking.
		{"Type is not type", `{` + on + `"messages":[{"role":"assistant","content":[{"Type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"Role is not role", `{` + on + `"messages":[{"Role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"thinking's Type is not type", `{"thinking":{"Type":"enabled"},"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},` + toolResult + `]}`, false},
		{"Claude Code mid loop", upstreamtest.ClaudeCodeThinking(3), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := scanValidObject([]byte(tc.body))
			require.NoError(t, err)
			assert.Equal(t, tc.want, thinkingLoopWithoutThinking(&obj))
		})
	}
}

// BenchmarkThinkingLoopWithoutThinking is the check alone on Claude Code's
// turns with thinking on (BenchmarkGatewayHandlerClaude: the whole call).
func BenchmarkThinkingLoopWithoutThinking(b *testing.B) {
	for _, bb := range []struct {
		name  string
		turns int
	}{{"290KB", 60}, {"2.9MB", 600}} {
		b.Run(bb.name, func(b *testing.B) {
			obj, err := scanValidObject([]byte(upstreamtest.ClaudeCodeThinking(bb.turns)))
			require.NoError(b, err)
			require.False(b, thinkingLoopWithoutThinking(&obj))
			b.ReportAllocs()
			for b.Loop() {
				thinkingLoopWithoutThinking(&obj)
			}
		})
	}
}
