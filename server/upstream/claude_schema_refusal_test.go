package upstream_test

// Claude's 400 refusal of a request's strict schemas (its grammar limits,
// past the documented subset the check before routing holds a schema to)
// fails over as a server's smaller context window does: the next model is
// tried, the model's health does not count it, and the last model's
// refusal is the gateway's 400 with Claude's words.

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// claudeSchemaRefusals are Anthropic's words refusing a request's strict
// schemas, as its API sends them.
var claudeSchemaRefusals = []string{
	"The compiled grammar is too large, which would cause performance issues. Simplify your tool schemas or reduce the number of strict tools.",
	"Schemas contains too many optional parameters (41), which would make grammar compilation inefficient. Reduce the number of optional parameters in your tool schemas (limit: 24).",
	"Schemas contains too many parameters with union types (49 parameters with type arrays or anyOf) which exceeds the limit: 16",
	"Too many strict tools (21). The maximum number of strict tools supported is 20.",
	"output_config.format.schema: Schema is too complex for compilation",
	"Grammar compilation timed out.",
	"output_format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false",
}

func claudeInvalidRequest(message string) string {
	return `{"type":"error","error":{"type":"invalid_request_error","message":"` + message + `"}}`
}

const (
	closedSchema = `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}`
	// A Chat call held to a schema by its response_format, one by a strict
	// tool only, and one by neither.
	chatWithFormat      = `{"model":"r","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"trip","strict":true,"schema":` + closedSchema + `}}}`
	chatWithStrictTool  = `{"model":"r","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"book","strict":true,"parameters":` + closedSchema + `}}]}`
	chatWithoutSchema   = `{"model":"r","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"book","parameters":` + closedSchema + `}}]}`
	responsesWithFormat = `{"model":"r","input":"hi","text":{"format":{"type":"json_schema","name":"trip","strict":true,"schema":` + closedSchema + `}}}`
)

func newClaudeRefusing(t *testing.T, message string) *misbehaving {
	t.Helper()
	m := newMisbehaving(t, upstream.KindAnthropic, writes(http.StatusBadRequest, "application/json", claudeInvalidRequest(message)))
	m.bad.Capabilities.StructuredOutput = true
	m.fwd.Health = &upstream.Health{}
	return m
}

func TestClaudeRefusingTheRequestsSchemasFailsOver(t *testing.T) {
	calls := []struct {
		name   string
		api    upstream.API
		body   string
		stream bool
	}{
		{"chat response_format", upstream.APIChatCompletions, chatWithFormat, false},
		{"chat response_format streamed", upstream.APIChatCompletions, `{"stream":true,` + chatWithFormat[1:], true},
		{"chat strict tool", upstream.APIChatCompletions, chatWithStrictTool, false},
		{"responses text.format", upstream.APIResponses, responsesWithFormat, false},
	}
	for _, message := range claudeSchemaRefusals {
		for _, c := range calls {
			t.Run(c.name+" "+message[:20], func(t *testing.T) {
				m := newClaudeRefusing(t, message)
				for range 5 {
					out, rec := m.forward(t, upstream.Call{API: c.api, Raw: []byte(c.body), Stream: c.stream, Order: []router.Model{m.bad, m.good}})
					require.Equal(t, m.good.ID, out.Answered.ID, "the client got %d: %s", out.Status, rec.Body.String())
					require.Len(t, out.Attempts, 2)
					assert.Equal(t, http.StatusBadRequest, out.Attempts[0].Status)
					assert.Contains(t, out.Attempts[0].Error, message, "the decision log has Claude's words")
				}
				assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "Claude still answers other calls")
			})
		}
	}
}

func TestTheLastModelClaudeRefusingTheSchemasIsTheGatewaysRefusal(t *testing.T) {
	calls := []struct {
		api         upstream.API
		body, param string
	}{
		{upstream.APIChatCompletions, chatWithFormat, "response_format"},
		{upstream.APIChatCompletions, chatWithStrictTool, "tools"},
		{upstream.APIResponses, responsesWithFormat, "text.format"},
	}
	for _, c := range calls {
		t.Run(c.param, func(t *testing.T) {
			m := newClaudeRefusing(t, claudeSchemaRefusals[0])
			out, rec := m.forward(t, upstream.Call{API: c.api, Raw: []byte(c.body), Order: []router.Model{m.bad}})
			re := m.refusedAsTheGateway(t, out, rec, "")
			assert.Equal(t, "broken-id refused the request's JSON schemas: "+claudeSchemaRefusals[0], re.Message)
			assert.Equal(t, c.param, re.Param)
		})
	}
}

// The same words from Claude to a call that held it to no schema, or a
// 400 about something else beside a schema, are the client's request:
// passed on as they came, with no other model asked.
func TestClaudesOtherRefusalsDoNotFailOver(t *testing.T) {
	cases := []struct{ name, body, message string }{
		{"no schema sent", chatWithoutSchema, claudeSchemaRefusals[0]},
		{"max_tokens beside a schema", chatWithFormat, "max_tokens: 12000 > 8192, which is the maximum allowed number of output tokens for claude-haiku-4-5"},
		{"citations beside a schema", chatWithFormat, "Citations cannot be used together with output_config.format."},
		{"a prefilled answer beside a schema", chatWithFormat, "Prefilling the assistant message is not supported with output_format of type json_schema."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newClaudeRefusing(t, c.message)
			out, rec := m.forward(t, upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(c.body), Order: []router.Model{m.bad, m.good}})
			assert.Equal(t, http.StatusBadRequest, out.Status)
			assert.Equal(t, m.bad.ID, out.Answered.ID)
			assert.Len(t, out.Attempts, 1)
			var got struct{ Error struct{ Message string } }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got), "%s", rec.Body.String())
			assert.Equal(t, c.message, got.Error.Message, "Claude's error, passed on")
		})
	}
}
