package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A thread Claude answered at length, not streamed, is still Claude's to
// continue: the answer's id is what the SDK continues from, wherever it
// stands in the answer's JSON (the gateway writes members in name order,
// so "content" comes before "id").
func TestMessagesThreadWithALongAnswerIsContinuedAtClaude(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: strings.Repeat("A long explanation. ", 600)})
	status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":4000,"messages":[{"role":"user","content":"Explain it all."}],"thread":{"type":"create"},"stream":false,"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)

	status, second := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":"Shorter?"}],"thread":{"type":"continue","previous_message_id":"`+first["id"].(string)+`"}}`)
	require.Equal(t, http.StatusOK, status, "%v", second)
	assert.Equal(t, "claude", second["model"])
}

// A thread whose answer calls a tool with an argument named "id" holding a
// message id (a mail or chat tool) is remembered by the answer's own id,
// not by the argument.
func TestMessagesThreadWhoseToolCallNamesAMessageIsContinuedAtClaude(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{
		ID: "toolu_1", Name: "read_mail", Arguments: `{"id":"msg_inbox42"}`}})
	status, first := postThreadTurn(t, e, `{"model":"model-router","max_tokens":400,"messages":[{"role":"user","content":"Read my last mail."}],"tools":[{"name":"read_mail","input_schema":{"type":"object","properties":{"id":{"type":"string"}}}}],"thread":{"type":"create"},"stream":false,"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, first)

	status, second := postThreadTurn(t, e, `{"model":"model-router","max_tokens":100,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"Lunch at noon."}]}],"thread":{"type":"continue","previous_message_id":"`+first["id"].(string)+`"}}`)
	require.Equal(t, http.StatusOK, status, "%v", second)
	assert.Equal(t, "claude", second["model"])
}
