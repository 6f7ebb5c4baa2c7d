package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Anthropic's toolsets have no name of their own: the MCP connector's
// mcp_toolset names its server instead. Such a call reaches Claude as
// sent, and the models a translation cannot carry the toolset to are left
// out by its type, as for any server tool.
func TestE2EMessagesToolsetWithoutNameGoesToClaude(t *testing.T) {
	e := newE2E(t)
	const body = `{"model":"model-router","max_tokens":50,
		"mcp_servers":[{"type":"url","url":"https://mcp.example.com/sse","name":"docs"}],
		"tools":[{"type":"mcp_toolset","mcp_server_name":"docs"}],
		"messages":[{"role":"user","content":"look it up in the docs"}]}`
	var sent struct {
		Tools []map[string]any `json:"tools"`
	}
	answeredByClaude(t, e, body, &sent)
	assert.Equal(t, []map[string]any{{"type": "mcp_toolset", "mcp_server_name": "docs"}}, sent.Tools)
	assert.Empty(t, e.openai.Requests())

	// A client tool still needs its name, as Anthropic requires.
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":50,
		"tools":[{"input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}`)
	require.Equal(t, http.StatusBadRequest, status, "%v", out)
	assert.Contains(t, out["error"].(map[string]any)["message"], "tools[0] is missing its name")
}

// The MCP connector's first beta (mcp-client-2025-04-04) brings a server's
// tools with mcp_servers alone, no tools entry: only Claude can call them,
// so a model reached through the translation, which would answer without
// them, is left out even where the mode prefers it.
func TestE2EMessagesMCPServersWithoutToolsetGoToClaude(t *testing.T) {
	e := newE2E(t)
	const body = `{"model":"model-router","max_tokens":50,
		"mcp_servers":[{"type":"url","url":"https://mcp.example.com/sse","name":"docs"}],
		"messages":[{"role":"user","content":"look it up in the docs"}]}`
	var sent struct {
		MCPServers []map[string]any `json:"mcp_servers"`
	}
	out := answeredByClaude(t, e, body, &sent)
	assert.Equal(t, []map[string]any{{"type": "url", "url": "https://mcp.example.com/sse", "name": "docs"}}, sent.MCPServers)
	assert.Empty(t, e.openai.Requests(), "no model without the MCP servers was asked")
	details := out["model_selection_details"].(map[string]any)
	var reasons []string
	for _, c := range details["candidates"].([]any) {
		reasons = append(reasons, c.(map[string]any)["reason"].(string))
	}
	assert.Contains(t, strings.Join(reasons, "\n"), "cannot carry mcp_servers")
}

// answeredByClaude posts the Messages call body, requires that Claude,
// asked once, answered it, and decodes into sent what Claude was sent; it
// returns the answer.
func answeredByClaude(t *testing.T, e *e2e, body string, sent any) map[string]any {
	t.Helper()
	status, out := postMessages(t, e, http.MethodPost, "/v1/messages", body)
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, "claude", out["model"])
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	require.NoError(t, json.Unmarshal(reqs[0].Body, sent))
	return out
}
