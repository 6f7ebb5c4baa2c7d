package upstream_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// claudeStructured is a Claude model with structured outputs (Haiku 4.5).
var claudeStructured = router.Model{ID: "claude-haiku-4-5-20251001", Name: "claude-haiku-4-5", UpstreamModel: "claude-haiku-4-5-20251001",
	Provider: "anthropic", MaxOutput: 8192, Capabilities: router.Capabilities{Tools: true, Vision: true, StructuredOutput: true}}

// optionalObject is a closed object schema with n optional string
// properties.
func optionalObject(n int) string {
	props := make([]string, n)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%d":{"type":"string"}`, i)
	}
	return `{"type":"object","properties":{` + strings.Join(props, ",") + `},"additionalProperties":false}`
}

// chatTools is a Chat Completions tools list of n functions f0..fn-1, each
// strict, with schema.
func chatTools(n int, schema string) string {
	tools := make([]string, n)
	for i := range tools {
		tools[i] = fmt.Sprintf(`{"type":"function","function":{"name":"f%d","strict":true,"parameters":%s}}`, i, schema)
	}
	return `[` + strings.Join(tools, ",") + `]`
}

// strictTools lists the tools of a translated body that went strict.
func strictTools(t *testing.T, body []byte) []string {
	t.Helper()
	var sent struct {
		Tools []struct {
			Name   string `json:"name"`
			Strict bool   `json:"strict"`
		} `json:"tools"`
	}
	require.NoError(t, json.Unmarshal(body, &sent))
	var out []string
	for _, tool := range sent.Tools {
		if tool.Strict {
			out = append(out, tool.Name)
		}
	}
	return out
}

// Claude limits a request's strict schemas (20 strict tools, 24 optional
// properties and 16 unions across them, the output format's counted
// first): a strict function that would go over them reaches Claude
// without strict, as one with a schema outside Claude's subset does, and
// the call is not refused. A model without structured outputs gets no
// strict tool.
func TestClaudeStrictToolsKeepWithinAnthropicsLimits(t *testing.T) {
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	closed := `{"type":"object","properties":{"q":{"type":"string"}},"required":["q"],"additionalProperties":false}`
	cases := []struct {
		name  string
		body  string
		model router.Model
		want  []string
	}{
		{"20 strict tools, not 21", `{` + msgs + `,"tools":` + chatTools(21, closed) + `}`, claudeStructured,
			[]string{"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", "f14", "f15", "f16", "f17", "f18", "f19"}},
		{"24 optional properties in all", `{` + msgs + `,"tools":` + chatTools(3, optionalObject(10)) + `}`, claudeStructured, []string{"f0", "f1"}},
		{"the output format counts first", `{` + msgs + `,"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":` + optionalObject(20) + `}},` +
			`"tools":` + chatTools(2, optionalObject(4)) + `}`, claudeStructured, []string{"f0"}},
		{"no structured output", `{` + msgs + `,"tools":` + chatTools(1, closed) + `}`, claudeModel, nil},
		{"strict false", `{` + msgs + `,"tools":[{"type":"function","function":{"name":"f","strict":false,"parameters":` + closed + `}}]}`, claudeStructured, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := upstream.ToAnthropic([]byte(tc.body), tc.model)
			require.NoError(t, err)
			assert.Equal(t, tc.want, strictTools(t, out))
		})
	}
}

// A json_schema format reaches the translation only for a model that
// takes it (the server leaves the others out before routing); met some
// other way, it is refused naming why, not sent as a plain answer.
func TestClaudeJSONSchemaFormatRefusedWhereClaudeCannotTakeIt(t *testing.T) {
	format := func(schema string) string {
		return `{"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":` + schema + `}}}`
	}
	_, err := upstream.ToAnthropic([]byte(format(optionalObject(1))), claudeModel)
	assert.EqualError(t, err, "response_format json_schema is not supported by claude-3-5-sonnet-20241022")
	_, err = upstream.ToAnthropic([]byte(format(optionalObject(25))), claudeStructured)
	assert.ErrorContains(t, err, "response_format.json_schema.schema: the strict schemas have 25 optional properties, over Claude's 24 in a request")
	_, err = upstream.ResponsesToAnthropic([]byte(`{"input":"hi","text":{"format":{"type":"json_schema","name":"o","schema":{"type":"object"}}}}`), claudeStructured)
	assert.ErrorContains(t, err, `text.format.schema: $ is an object without "additionalProperties": false`)
}

// NeedClaudeSchema is what leaves Claude out before routing: nothing for a
// schema Claude takes, the rule and where for one it does not. Without
// strict, a schema is first brought within Claude's subset: a constraint
// no longer leaves Claude out, a map still does.
func TestNeedClaudeSchemaNamesTheRule(t *testing.T) {
	maxLength := json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","maxLength":2}}}`)
	assert.Empty(t, upstream.NeedClaudeSchema("text.format.schema", maxLength, false))
	assert.Equal(t, upstream.ContentPrefix+`text.format.schema: $ is an object without "additionalProperties": false, which Claude's structured outputs require`,
		upstream.NeedClaudeSchema("text.format.schema", maxLength, true))
	assert.Equal(t, upstream.ContentPrefix+`text.format.schema: $.properties.m is an object without "additionalProperties": false, which Claude's structured outputs require`,
		upstream.NeedClaudeSchema("text.format.schema", json.RawMessage(`{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"string"}}}}`), false))
	assert.Empty(t, upstream.NeedClaudeSchema("text.format.schema", json.RawMessage(optionalObject(2)), true))
	assert.Equal(t, upstream.ContentPrefix+`text.format.schema: $.properties.a uses "maxLength", which Claude's structured outputs do not support`,
		upstream.NeedClaudeSchema("text.format.schema", json.RawMessage(`{"type":"object","properties":{"a":{"type":"string","maxLength":2}},"additionalProperties":false}`), true))
}

// A json_schema format without strict (the Vercel AI SDK's and
// LangChain's default) reaches Claude brought within its subset, on Chat
// Completions and Responses alike: its object closed, the constraints
// Claude does not take written into their schema's description. With
// strict, the same schema is refused as before.
func TestClaudeJSONSchemaWithoutStrictReachesClaudeWithinItsSubset(t *testing.T) {
	schema := `{"type":"object","properties":{"name":{"type":"string","minLength":1},"score":{"type":"number","description":"0 to 10","maximum":10}},"required":["name"]}`
	sent := `{"type":"object","properties":{"name":{"type":"string","description":"{minLength: 1}"},"score":{"type":"number","description":"0 to 10\n\n{maximum: 10}"}},"required":["name"],"additionalProperties":false}`
	chat := func(strict string) string {
		return `{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x"` + strict + `,"schema":` + schema + `}}}`
	}
	responses := func(strict string) string {
		return `{"model":"m","input":"hi","text":{"format":{"type":"json_schema","name":"x"` + strict + `,"schema":` + schema + `}}}`
	}
	for _, strict := range []string{``, `,"strict":false`, `,"strict":null`} {
		body, err := upstream.ToAnthropic([]byte(chat(strict)), claudeStructured)
		require.NoError(t, err)
		assert.Contains(t, string(body), `"output_config":{"format":{"type":"json_schema","schema":`+sent+`}}`)
		body, err = upstream.ResponsesToAnthropic([]byte(responses(strict)), claudeStructured)
		require.NoError(t, err)
		assert.Contains(t, string(body), `"output_config":{"format":{"type":"json_schema","schema":`+sent+`}}`)
	}
	_, err := upstream.ToAnthropic([]byte(chat(`,"strict":true`)), claudeStructured)
	assert.ErrorContains(t, err, `response_format.json_schema.schema: $ is an object without "additionalProperties": false`)
	_, err = upstream.ResponsesToAnthropic([]byte(responses(`,"strict":true`)), claudeStructured)
	assert.ErrorContains(t, err, `text.format.schema: $ is an object without "additionalProperties": false`)
}

// The schemas common clients write: Pydantic's (the openai Python SDK's
// response_format=Model), openai-go's (invopop/jsonschema, with $schema
// and $id at the root), Zod's converters ($schema, definitions) and
// LangChain's. Each reaches Claude as output_config.format, less the
// root's $schema and $id, which name the dialect and constrain nothing.
func TestChatClientSchemasReachClaudeLessTheirRootAnnotations(t *testing.T) {
	cases := []struct{ name, schema, sent string }{
		{"pydantic", `{"$defs":{"Color":{"enum":["red","green"],"title":"Color","type":"string"},` +
			`"Item":{"additionalProperties":false,"properties":{"name":{"title":"Name","type":"string"},"at":{"format":"date-time","title":"At","type":"string"}},"required":["name","at"],"title":"Item","type":"object"}},` +
			`"additionalProperties":false,"properties":{"items":{"items":{"$ref":"#/$defs/Item"},"title":"Items","type":"array"},` +
			`"color":{"$ref":"#/$defs/Color","description":"the colour"},"note":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null,"title":"Note"}},` +
			`"required":["items","color","note"],"title":"Order","type":"object"}`, ""},
		{"openai-go", `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://github.com/acme/app/order","type":"object",` +
			`"properties":{"sku":{"type":"string","pattern":"^[A-Z]{3}-\\d+$"}},"additionalProperties":false,"required":["sku"]}`,
			`{"additionalProperties":false,"properties":{"sku":{"type":"string","pattern":"^[A-Z]{3}-\\d+$"}},"required":["sku"],"type":"object"}`},
		{"zod-to-json-schema", `{"type":"object","properties":{"email":{"type":"string","format":"email"},"tags":{"type":"array","items":{"$ref":"#/definitions/tag"}}},` +
			`"required":["email","tags"],"additionalProperties":false,"definitions":{"tag":{"type":"string","enum":["a","b"]}},"$schema":"http://json-schema.org/draft-07/schema#"}`,
			`{"additionalProperties":false,"definitions":{"tag":{"type":"string","enum":["a","b"]}},"properties":{"email":{"type":"string","format":"email"},"tags":{"type":"array","items":{"$ref":"#/definitions/tag"}}},"required":["email","tags"],"type":"object"}`},
		{"langchain", `{"title":"Joke","description":"A joke","type":"object","properties":{"setup":{"type":"string","description":"the setup"},` +
			`"rating":{"anyOf":[{"type":"integer"},{"type":"null"}]}},"required":["setup","rating"],"additionalProperties":false}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Empty(t, upstream.NeedClaudeSchema("response_format.json_schema.schema", json.RawMessage(tc.schema), true))
			body, err := upstream.ToAnthropic([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],`+
				`"response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,"schema":`+tc.schema+`}},`+
				`"tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":`+tc.schema+`}}]}`), claudeStructured)
			require.NoError(t, err)
			var sent struct {
				OutputConfig struct {
					Format struct {
						Type   string          `json:"type"`
						Schema json.RawMessage `json:"schema"`
					} `json:"format"`
				} `json:"output_config"`
				Tools []struct {
					Strict      bool            `json:"strict"`
					InputSchema json.RawMessage `json:"input_schema"`
				} `json:"tools"`
			}
			require.NoError(t, json.Unmarshal(body, &sent))
			want := tc.sent
			if want == "" {
				want = tc.schema
			}
			assert.Equal(t, "json_schema", sent.OutputConfig.Format.Type)
			assert.JSONEq(t, want, string(sent.OutputConfig.Format.Schema))
			require.Len(t, sent.Tools, 1)
			assert.True(t, sent.Tools[0].Strict)
			assert.JSONEq(t, want, string(sent.Tools[0].InputSchema))
		})
	}
}
