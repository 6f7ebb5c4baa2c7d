package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// langChainResponsesJSONMode is the body LangChain JS (@langchain/openai
// 1.5, ChatOpenAI with useResponsesApi: true) sends for
// withStructuredOutput(schema, {method: "jsonMode"}), its model named
// as the test catalog's Claude.
const langChainResponsesJSONMode = `{"input":[{"type":"message","role":"user","content":"Weather in Paris as JSON"}],` +
	`"model":"claude","stream":false,"text":{"format":{"type":"json_object"}}}`

// A Responses text.format of json_object leaves Claude out before routing,
// as Chat Completions' response_format json_object does: the Messages API
// has no JSON mode without a schema. Claude was chosen, its translation
// refused the call and it went to the next model in failover, so routing
// judged among models one of which could never answer.
func TestAResponsesJSONObjectFormatLeavesClaudeOutBeforeRouting(t *testing.T) {
	e := newE2E(t)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/responses", langChainResponsesJSONMode)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	we := errorOf(t, body)
	require.NotNil(t, we.Error.Code)
	assert.Equal(t, "no_eligible", *we.Error.Code)
	assert.Contains(t, we.Error.Message, "provider anthropic cannot carry text.format json_object")
	assert.Empty(t, e.anthropic.Requests())

	// Routed over Claude and mini, where Claude's predicted quality is
	// the higher: mini is chosen, nothing fails over.
	routed := strings.Replace(langChainResponsesJSONMode, `"model":"claude"`,
		`"model":"model-router","routing_config":{"mode":"quality","models":["claude","mini"]}`, 1)
	status, _, body = postRaw(t, e, http.MethodPost, "/v1/responses", routed)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Len(t, e.openai.RequestsFor("mini"), 1)
	assert.Empty(t, e.anthropic.Requests())
	assert.Contains(t, string(body), `"fallbacks_tried":[]`)
	recs := e.log.waitFor(t, 2)
	assert.Equal(t, "excluded: provider anthropic cannot carry text.format json_object", reasonOf(recs[1].Decision, "claude"))
}
