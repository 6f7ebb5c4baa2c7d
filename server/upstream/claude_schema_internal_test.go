package upstream

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// optional is a closed object with n string properties, none required.
func optional(n int, schema string) string {
	props := make([]string, n)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%02d":%s`, i, schema)
	}
	return `{"type":"object","properties":{` + strings.Join(props, ",") + `},"additionalProperties":false}`
}

// schemaCase is a schema and what claudeSchemaProblem says of it: "" for
// accepted, else words its answer contains.
type schemaCase struct{ name, schema, want string }

func checkSchemaCases(t *testing.T, cases []schemaCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := claudeSchemaProblem([]byte(tc.schema))
			if tc.want == "" {
				assert.Empty(t, got)
			} else {
				assert.Contains(t, got, tc.want)
			}
		})
	}
}

// Each rule of Claude's structured outputs, as Anthropic's guide lists
// them, with a schema that keeps it and one that breaks it; want is a
// piece of the broken rule's name, "" for a schema Claude takes.
func TestClaudeSchemaKeepsToAnthropicsSupportedSubset(t *testing.T) {
	cases := []schemaCase{
		{"a closed object", one(`{"type":"string"}`), ""},
		{"an optional property", `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a"],"additionalProperties":false}`, ""},
		{"no required at all", `{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`, ""},
		{"every type", closed(map[string]string{"s": `{"type":"string"}`, "n": `{"type":"number"}`, "i": `{"type":"integer"}`,
			"b": `{"type":"boolean"}`, "z": `{"type":"null"}`, "a": `{"type":"array","items":{"type":"string"}}`}), ""},
		{"a list of types", one(`{"type":["string","null"]}`), ""},
		{"an enum of primitives", one(`{"enum":["a",1,true,null]}`), ""},
		{"a const", one(`{"type":"string","const":"x"}`), ""},
		{"anyOf", one(`{"anyOf":[{"type":"string"},{"type":"null"}]}`), ""},
		{"allOf", one(`{"allOf":[{"type":"string"},{"type":"string","description":"a name"}]}`), ""},
		{"description, title and default", one(`{"type":"string","description":"d","title":"t","default":"x"}`), ""},
		{"minItems 0 and 1", closed(map[string]string{"a": `{"type":"array","items":{"type":"string"},"minItems":0}`, "b": `{"type":"array","minItems":1}`}), ""},
		{"each format", closed(map[string]string{"a": `{"type":"string","format":"date-time"}`, "b": `{"type":"string","format":"uri"}`, "c": `{"type":"string","format":"uuid"}`}), ""},
		{"a simple pattern", one(`{"type":"string","pattern":"^[a-z]+\\\\b?\\\\d{3}$"}`), ""},
		{"a definition", `{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"required":["a"],"additionalProperties":false,"$defs":{"x":{"type":"string"}}}`, ""},
		{"definitions, the older name", `{"type":"object","properties":{"a":{"$ref":"#/definitions/x","description":"x"}},"additionalProperties":false,"definitions":{"x":{"type":"string"}}}`, ""},
		{"a definition used twice", `{"type":"object","properties":{"a":{"$ref":"#/$defs/x"},"b":{"$ref":"#/$defs/y"}},"additionalProperties":false,"$defs":{"x":{"$ref":"#/$defs/y"},"y":{"type":"string"}}}`, ""},

		{"not JSON", `{`, "not a JSON object"},
		{"an empty schema", one(`{}`), `$.properties.a has no "type" (nor "enum", "anyOf", "allOf" or "$ref"): a schema that accepts any JSON value`},
		{"Pydantic's Any", one(`{"title":"A"}`), `$.properties.a has no "type"`},
		{"a typeless allOf member", one(`{"allOf":[{"type":"string"},{"description":"a name"}]}`), `$.properties.a.allOf[1] has no "type"`},
		{"a const alone", one(`{"const":"x"}`), `$.properties.a has a "const" without "type"`},
		{"a const alone of an object", one(`{"const":{"x":1}}`), `$.properties.a has an "const" value that is an object or an array`},
		{"an array root", `{"type":"array","items":{"type":"string"}}`, "at the root"},
		{"minimum", one(`{"type":"number","minimum":0}`), `"minimum"`},
		{"maximum", one(`{"type":"integer","maximum":9}`), `"maximum"`},
		{"exclusiveMinimum", one(`{"type":"number","exclusiveMinimum":0}`), `"exclusiveMinimum"`},
		{"multipleOf", one(`{"type":"number","multipleOf":2}`), `"multipleOf"`},
		{"minLength", one(`{"type":"string","minLength":1}`), `"minLength"`},
		{"maxLength", one(`{"type":"string","maxLength":1}`), `"maxLength"`},
		{"maxItems", one(`{"type":"array","maxItems":3}`), `"maxItems"`},
		{"minItems 2", one(`{"type":"array","minItems":2}`), "only as 0 or 1"},
		{"oneOf", one(`{"oneOf":[{"type":"string"}]}`), `"oneOf"`},
		{"$schema and $id at the root", `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.com/x","type":"object","properties":{},"additionalProperties":false}`, ""},
		{"$schema not a string", `{"$schema":1,"type":"object","properties":{},"additionalProperties":false}`, `$ has "$schema" that is not a string`},
		{"$schema below the root", one(`{"type":"string","$schema":"https://json-schema.org/draft/2020-12/schema"}`), `"$schema"`},
		{"$comment", `{"$comment":"x","type":"object","properties":{},"additionalProperties":false}`, `"$comment"`},
		{"examples", one(`{"type":"string","examples":["x"]}`), `"examples"`},
		{"a description not a string", one(`{"type":"string","description":{"en":"d"}}`), `has a "description" that is not a string`},
		{"a title not a string", `{"type":"object","title":null,"properties":{},"additionalProperties":false}`, `$ has a "title" that is not a string`},
		{"an open object", one(`{"type":"object","properties":{}}`), `"additionalProperties": false`},
		{"additionalProperties true", one(`{"type":"object","properties":{},"additionalProperties":true}`), `"additionalProperties": false`},
		{"additionalProperties a schema", one(`{"type":"object","properties":{},"additionalProperties":{"type":"string"}}`), `"additionalProperties": false`},
		{"an unknown type", one(`{"type":"date"}`), `type "date"`},
		{"an enum with an object", one(`{"enum":[{"a":1}]}`), "object or an array"},
		{"an unknown format", one(`{"type":"string","format":"ipv7"}`), `format "ipv7"`},
		{"a format on a number", one(`{"type":"number","format":"date"}`), "without type string"},
		{"a lookahead", one(`{"type":"string","pattern":"^(?=a)"}`), "lookahead"},
		{"a lookbehind", one(`{"type":"string","pattern":"(?<!a)b"}`), "lookbehind"},
		{"a backreference", one(`{"type":"string","pattern":"(a)\\1"}`), "backreference"},
		{"a word boundary", one(`{"type":"string","pattern":"\\bword"}`), "word boundary"},
		{"allOf with $ref", `{"type":"object","properties":{"a":{"allOf":[{"$ref":"#/$defs/x"}]}},"additionalProperties":false,"$defs":{"x":{"type":"string"}}}`, `"$ref" inside "allOf"`},
		{"an external $ref", one(`{"$ref":"https://example.com/x.json"}`), "not one of the root's definitions"},
		{"a $ref to the root", one(`{"$ref":"#"}`), "recursive"},
		{"a recursive definition", `{"type":"object","properties":{"head":{"$ref":"#/$defs/node"}},"additionalProperties":false,` +
			`"$defs":{"node":{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"additionalProperties":false}}}`, "recursive"},
		{"24 optional properties", optional(claudeMaxOptional, `{"type":"string"}`), ""},
		{"25 optional properties", optional(claudeMaxOptional+1, `{"type":"string"}`), "25 optional properties, over Claude's 24"},
		{"16 unions", optional(claudeMaxUnions, `{"type":["string","null"]}`), ""},
		{"17 unions", optional(claudeMaxUnions+1, `{"anyOf":[{"type":"string"},{"type":"null"}]}`), `17 schemas with "anyOf" or a list of types, over Claude's 16`},
	}
	checkSchemaCases(t, cases)
}

// What a client reads of why Claude was left out names the one rule
// broken and where, as strictSchemaProblem does for OpenAI.
func TestClaudeSchemaProblemNamesTheRuleAndWhere(t *testing.T) {
	user := func(name string) string {
		return `{"type":"object","properties":{"user":` + closed(map[string]string{"name": name}) + `},"required":["user"],"additionalProperties":false}`
	}
	cases := []schemaCase{
		{"a keyword Claude does not support", user(`{"type":"string","minLength":1}`),
			`$.properties.user.properties.name uses "minLength", which Claude's structured outputs do not support`},
		{"a keyword of another type", user(`{"type":"number","pattern":"^1"}`),
			`$.properties.user.properties.name uses "pattern" without type string, which Claude's structured outputs do not support`},
		{"an open object", user(`{"type":"object","properties":{}}`),
			`$.properties.user.properties.name is an object without "additionalProperties": false, which Claude's structured outputs require`},
		{"an array's items", one(`{"type":"array","items":{"type":"string","maxLength":3}}`),
			`$.properties.a.items uses "maxLength", which Claude's structured outputs do not support`},
		{"a definition", `{"type":"object","properties":{},"additionalProperties":false,"$defs":{"open":{"type":"object","properties":{}}}}`,
			`$.$defs.open is an object without "additionalProperties": false, which Claude's structured outputs require`},
		{"a recursive definition", `{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"additionalProperties":false,"$defs":{"x":{"type":"array","items":{"$ref":"#/$defs/x"}}}}`,
			`$.$defs.x reaches itself through "$ref", which makes the schema recursive, which Claude's structured outputs do not support`},
		{"a description that is not a string", user(`{"type":"string","description":["the","name"]}`),
			`$.properties.user.properties.name has a "description" that is not a string, which Claude's structured outputs do not support`},
		{"a title that is not a string", one(`{"type":"string","title":1}`),
			`$.properties.a has a "title" that is not a string, which Claude's structured outputs do not support`},
		{"the first of several, by name", closed(map[string]string{"b": `{"type":"string","minLength":1}`, "a": `{"type":"string","maxLength":1}`}),
			`$.properties.a uses "maxLength", which Claude's structured outputs do not support`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, claudeSchemaProblem([]byte(tc.schema)))
		})
	}
}

// claudeSchemaProblem is claudeSchemaCheck's verdict alone, which the
// tests read: the first rule the schema breaks and where, "" when Claude
// takes it.
func claudeSchemaProblem(raw []byte) string {
	_, why := claudeSchemaCheck(raw)
	return why
}
