package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The bodies the official OpenAI Node SDK (openai 6.x with zod 4) sends for
// zodResponseFormat, zodTextFormat and zodFunction, as captured from it,
// with routing_config added to leave Claude the only candidate. Zod writes
// every z.number().int() and z.int() with the bounds of JavaScript's safe
// integers.
const (
	zodOrderSchema = `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"customer":{"type":"string"},` +
		`"quantity":{"type":"integer","minimum":-9007199254740991,"maximum":9007199254740991},"lines":{"type":"array","items":{"type":"object",` +
		`"properties":{"sku":{"type":"string"},"count":{"type":"integer","minimum":-9007199254740991,"maximum":9007199254740991}},` +
		`"required":["sku","count"],"additionalProperties":false}}},"required":["customer","quantity","lines"],"additionalProperties":false}`
	// zodOrderSchemaToClaude is the schema Claude is held to: the same, less
	// the root's $schema and the safe-integer bounds.
	zodOrderSchemaToClaude = `{"type":"object","properties":{"customer":{"type":"string"},"quantity":{"type":"integer"},"lines":{"type":"array",` +
		`"items":{"type":"object","properties":{"sku":{"type":"string"},"count":{"type":"integer"}},"required":["sku","count"],` +
		`"additionalProperties":false}}},"required":["customer","quantity","lines"],"additionalProperties":false}`

	zodChatParseBody = `{"model":"model-router","messages":[{"role":"user","content":"Order two lamps"}],"response_format":{"type":"json_schema",` +
		`"json_schema":{"name":"order","strict":true,"schema":` + zodOrderSchema + `}},"routing_config":{"models":["claude"]}}`
	zodResponsesParseBody = `{"model":"model-router","input":"Order two lamps","text":{"format":{"type":"json_schema","name":"order","strict":true,` +
		`"schema":` + zodOrderSchema + `}},"routing_config":{"models":["claude"]}}`
	zodFunctionBody = `{"model":"model-router","messages":[{"role":"user","content":"Weather in Paris"}],"tools":[{"type":"function","function":` +
		`{"name":"get_weather","parameters":{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"city":{"type":"string"},` +
		`"days":{"type":"integer","minimum":-9007199254740991,"maximum":9007199254740991}},"required":["city","days"],"additionalProperties":false},` +
		`"strict":true}}],"routing_config":{"models":["claude"]}}`
)

// A zod schema with an integer reaches Claude held to it: before, the
// safe-integer bounds zod writes on every integer left Claude out of a
// strict format (400 no_eligible, `uses "maximum", which Claude's
// structured outputs do not support`) and sent a zodFunction tool to it
// without strict.
func TestZodIntegerSchemasReachClaudeStrict(t *testing.T) {
	e := newE2E(t)
	for _, c := range []struct{ path, body string }{
		{"/v1/chat/completions", zodChatParseBody},
		{"/v1/responses", zodResponsesParseBody},
	} {
		status, _, body := postRaw(t, e, http.MethodPost, c.path, c.body)
		require.Equal(t, http.StatusOK, status, "%s: %s", c.path, body)
	}
	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		sent := claudeSentOf(t, r.Body)
		require.NotNil(t, sent.OutputConfig, "the format did not reach Claude: %s", r.Body)
		assert.JSONEq(t, zodOrderSchemaToClaude, string(sent.OutputConfig.Format.Schema))
	}

	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", zodFunctionBody)
	require.Equal(t, http.StatusOK, status, "%s", body)
	reqs = e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 3)
	sent := claudeSentOf(t, reqs[2].Body)
	assert.Equal(t, map[string]bool{"get_weather": true}, sent.strictOf())
	assert.Contains(t, string(reqs[2].Body), `"days":{"type":"integer"}`)
}

// A real bound on an integer (z.number().int().min(0) writes minimum 0
// beside the safe maximum) is a constraint Claude cannot hold the answer
// to: a strict format with it still leaves Claude out, naming it.
func TestZodIntegerWithARealBoundStillLeavesClaudeOut(t *testing.T) {
	e := newE2E(t)
	schema := `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"count":{"type":"integer","minimum":0,` +
		`"maximum":9007199254740991}},"required":["count"],"additionalProperties":false}`
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/chat/completions", `{"model":"model-router","messages":[{"role":"user","content":"hi"}],`+
		`"response_format":{"type":"json_schema","json_schema":{"name":"c","strict":true,"schema":`+schema+`}},"routing_config":{"models":["claude"]}}`)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)
	assert.Contains(t, string(body), `$.properties.count uses \"minimum\", which Claude's structured outputs do not support`)
	assert.Empty(t, e.anthropic.RequestsFor("claude"))
}
