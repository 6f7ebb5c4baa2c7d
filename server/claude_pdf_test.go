package server

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pdfData is "%PDF-1.4\n" in base64: the start of a PDF.
const pdfData = "JVBERi0xLjQK"

// claudeMessages is the messages Claude was sent on its only call.
func claudeMessages(t *testing.T, e *e2e) string {
	t.Helper()
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 1)
	var sent struct {
		Messages json.RawMessage `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent), "%s", reqs[0].Body)
	return string(sent.Messages)
}

// A Chat Completions call with a PDF `file` part reaches Claude with the
// PDF as a document block (its filename the title): before, Claude was
// left out of any call with a file part (`no file (PDF) input support`).
func TestChatPDFFilePartReachesClaudeAsADocument(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":[`+
		`{"type":"text","text":"Summarize"},{"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,`+pdfData+`"}}]}],`+
		`"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.JSONEq(t, `[{"role":"user","content":[{"type":"text","text":"Summarize"},`+
		`{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"`+pdfData+`"},"title":"report.pdf"}]}]`,
		claudeMessages(t, e))
}

// The OpenAI Agents SDK sends a tool's PDF as an input_file in the
// function_call_output's output: it reaches Claude as a document inside
// the tool_result, where Anthropic takes one.
func TestResponsesToolOutputPDFReachesClaudeInItsToolResult(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/responses", `{"model":"model-router","input":[`+
		`{"role":"user","content":"Read the report"},`+
		`{"type":"function_call","call_id":"call_1","name":"fetch_report","arguments":"{}"},`+
		`{"type":"function_call_output","call_id":"call_1","output":[{"type":"input_file","filename":"report.pdf","file_data":"data:application/pdf;base64,`+pdfData+`"}]}],`+
		`"tools":[{"type":"function","name":"fetch_report","parameters":{"type":"object","properties":{}}}],`+
		`"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.JSONEq(t, `[{"role":"user","content":[{"type":"text","text":"Read the report"}]},`+
		`{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"fetch_report","input":{}}]},`+
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":[`+
		`{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"`+pdfData+`"},"title":"report.pdf"}]}]}]`,
		claudeMessages(t, e))
}

// A file uploaded to OpenAI (file_id) is one Claude cannot fetch: Claude
// stays out before routing, the reason named, and the call goes to a
// model of OpenAI's API.
func TestFileIDStillLeavesClaudeOut(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":[`+
		`{"type":"text","text":"Summarize"},{"type":"file","file":{"file_id":"file-abc123"}}]}],"routing_config":{"models":["claude","mini"]}}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Empty(t, e.anthropic.Requests())
	recs := e.log.waitFor(t, 1)
	assert.Equal(t, "mini", recs[0].Decision.ChosenID)
	assert.Equal(t, "excluded: file file-abc123 is stored at OpenAI, which only its models can read", reasonOf(recs[0].Decision, "claude"))
}
