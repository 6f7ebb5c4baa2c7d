package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Only a final assistant turn may be empty, and an empty one is no
// prefill, however it is spaced (`[ ]`): OpenAI models may answer it.
func TestEmptyFinalAssistantWithWhitespaceIsNoPrefill(t *testing.T) {
	e := newE2E(t)
	st, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"mini","max_tokens":50,
		"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[ ]}]}`)
	b, _ := json.Marshal(out)
	assert.Equal(t, http.StatusOK, st, "%.400s", b)
}

// Claude Code's own loop on Claude with thinking on: the last assistant turn
// starts with its thinking block, and thinking must reach Anthropic.
func TestClaudeOnlyThinkingLoopKeepsThinking(t *testing.T) {
	e := newE2E(t)
	st, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"claude","max_tokens":4000,
		"thinking":{"type":"enabled","budget_tokens":1024},
		"tools":[{"name":"f","input_schema":{"type":"object"}}],
		"messages":[{"role":"user","content":"hi"},
		{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"calling"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
		{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}`)
	require.Equal(t, http.StatusOK, st, "%v", out)
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	var sent map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	assert.Contains(t, sent, "thinking")
	// adaptive / string content variations
	st, out = postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"claude","max_tokens":4000,
		"thinking":{"type":"enabled","budget_tokens":1024},
		"messages":[{"role":"user","content":"hi"},
		{"role":"assistant","content":[{"type":"redacted_thinking","data":"xx"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},
		{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}]}`)
	require.Equal(t, http.StatusOK, st, "%v", out)
	reqs = e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	sent = nil
	require.NoError(t, json.Unmarshal(reqs[1].Body, &sent))
	assert.Contains(t, sent, "thinking")
}
