package upstream

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// closed is an object schema OpenAI's strict mode takes for these
// properties (each a schema in JSON): closed, every property required.
func closed(props map[string]string) string {
	var members, names []string
	for name, schema := range props {
		n, _ := json.Marshal(name)
		members = append(members, string(n)+":"+schema)
		names = append(names, string(n))
	}
	return `{"type":"object","properties":{` + strings.Join(members, ",") + `},"required":[` + strings.Join(names, ",") + `],"additionalProperties":false}`
}

// one is a closed object with the one property "a".
func one(schema string) string { return closed(map[string]string{"a": schema}) }

// nested puts a string schema levels levels below the root, one object
// inside another.
func nested(levels int) string {
	s := `{"type":"string"}`
	for range levels {
		s = one(s)
	}
	return s
}

// manyProperties is a closed object with n string properties.
func manyProperties(n int) string {
	props := map[string]string{}
	for i := range n {
		props[fmt.Sprintf("p%d", i)] = `{"type":"string"}`
	}
	return closed(props)
}

// enumOf is a property whose enum has n values, each a string of size
// characters, or the numbers 0..n-1 when size is 0.
func enumOf(n, size int) string {
	values := make([]string, n)
	for i := range values {
		if size == 0 {
			values[i] = fmt.Sprint(i)
		} else {
			values[i] = `"` + fmt.Sprintf("%0*d", size, i) + `"`
		}
	}
	typ := "string"
	if size == 0 {
		typ = "integer"
	}
	return one(`{"type":"` + typ + `","enum":[` + strings.Join(values, ",") + `]}`)
}

// Each rule of strict mode, as OpenAI's Structured Outputs guide lists
// them, with a schema that keeps it and one that breaks it; want is a
// piece of the broken rule's name, "" for a schema strict mode takes.
func TestStrictSchemaKeepsToOpenAIsSupportedSubset(t *testing.T) {
	linkedList := `{"type":"object","properties":{"head":{"$ref":"#/$defs/node"}},"required":["head"],"additionalProperties":false,` +
		`"$defs":{"node":{"type":"object","properties":{"value":{"type":"number"},"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["value","next"],"additionalProperties":false}}}`
	tree := `{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}},"required":["name","children"],"additionalProperties":false}`
	long := strings.Repeat("x", strictMaxChars)
	cases := []struct {
		name, schema, want string
	}{
		// The root is an object, not anyOf.
		{"an object root", one(`{"type":"string"}`), ""},
		{"an object root without properties", `{"type":"object","properties":{},"required":[],"additionalProperties":false}`, ""},
		{"an array root", `{"type":"array","items":{"type":"string"}}`, "root"},
		{"an anyOf root", `{"anyOf":[` + one(`{"type":"string"}`) + `,` + one(`{"type":"number"}`) + `]}`, "root"},
		{"an object root with anyOf", `{"type":"object","properties":{},"required":[],"additionalProperties":false,"anyOf":[{"type":"object"}]}`, "exactly one"},
		{"not JSON", `{"type":`, "not a JSON object"},

		// Every object is closed and requires every property.
		{"a nested closed object", one(one(`{"type":"boolean"}`)), ""},
		{"an open root", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`, "additionalProperties"},
		{"additionalProperties true", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":true}`, "additionalProperties"},
		{"a nested open object", one(`{"type":"object","properties":{},"required":[]}`), "additionalProperties"},
		{"an optional property", `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false}`, "required"},
		{"a required name with no property", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a","b"],"additionalProperties":false}`, "required"},
		{"an object without properties", one(`{"type":"object","additionalProperties":false}`), `without "properties"`},

		// Types: string, number, integer, boolean, null, object, array;
		// a nullable one as a type beside "null".
		{"every scalar type", closed(map[string]string{"s": `{"type":"string"}`, "n": `{"type":"number"}`, "i": `{"type":"integer"}`,
			"b": `{"type":"boolean"}`, "z": `{"type":"null"}`}), ""},
		{"a nullable type", one(`{"type":["string","null"]}`), ""},
		{"a nullable type, null first", one(`{"type":["null","integer"]}`), ""},
		{"two types", one(`{"type":["string","number"]}`), "type"},
		{"an unknown type", one(`{"type":"date"}`), "type"},
		{"a schema without a type", one(`{"enum":["a","b"]}`), "exactly one"},
		{"an empty schema", one(`{}`), "exactly one"},
		{"a type beside anyOf", one(`{"type":"string","anyOf":[{"type":"string"}]}`), "exactly one"},

		// Each type's own keywords, title and description anywhere, and
		// nothing else.
		{"string constraints", one(`{"type":"string","pattern":"^[a-z]+$","format":"date-time","title":"t","description":"d"}`), ""},
		{"every documented format", closed(map[string]string{"a": `{"type":"string","format":"date"}`, "b": `{"type":"string","format":"time"}`,
			"c": `{"type":"string","format":"duration"}`, "d": `{"type":"string","format":"email"}`, "e": `{"type":"string","format":"hostname"}`,
			"f": `{"type":"string","format":"ipv4"}`, "g": `{"type":"string","format":"ipv6"}`, "h": `{"type":"string","format":"uuid"}`}), ""},
		{"number constraints", one(`{"type":"number","multipleOf":0.5,"minimum":0,"exclusiveMinimum":-1,"maximum":10,"exclusiveMaximum":11}`), ""},
		{"integer constraints", one(`{"type":"integer","minimum":1,"maximum":5}`), ""},
		{"array constraints", one(`{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":3}`), ""},
		{"enum and const", closed(map[string]string{"e": `{"type":"string","enum":["a","b"]}`, "c": `{"type":"integer","const":3}`}), ""},
		{"a nullable enum", one(`{"type":["string","null"],"enum":["a",null]}`), ""},
		{"a format strict mode does not list", one(`{"type":"string","format":"uri"}`), "format"},
		{"minLength", one(`{"type":"string","minLength":1}`), `uses "minLength"`},
		{"a string constraint on a number", one(`{"type":"number","pattern":"^1"}`), `uses "pattern"`},
		{"a number constraint on a string", one(`{"type":"string","minimum":1}`), `uses "minimum"`},
		{"uniqueItems", one(`{"type":"array","items":{"type":"string"},"uniqueItems":true}`), `uses "uniqueItems"`},
		{"default", one(`{"type":"string","default":"x"}`), `uses "default"`},
		{"an array without items", one(`{"type":"array"}`), `without "items"`},
		{"tuple items", one(`{"type":"array","items":[{"type":"string"}]}`), "not a schema"},
		{"prefixItems", one(`{"type":"array","items":{"type":"string"},"prefixItems":[{"type":"string"}]}`), `uses "prefixItems"`},
		{"an empty enum", one(`{"type":"string","enum":[]}`), "enum"},

		// Keywords outside strict mode.
		{"allOf", one(`{"type":"object","properties":{},"required":[],"additionalProperties":false,"allOf":[]}`), `uses "allOf"`},
		{"oneOf", one(`{"oneOf":[{"type":"string"},{"type":"number"}]}`), `uses "oneOf"`},
		{"not", one(`{"type":"string","not":{"const":"x"}}`), `uses "not"`},
		{"if/then/else", one(`{"type":"string","if":{"type":"string"},"then":{"type":"string"},"else":{"type":"string"}}`), `uses "else"`},
		{"dependentRequired", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false,"dependentRequired":{"a":[]}}`, `uses "dependentRequired"`},
		{"dependentSchemas", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false,"dependentSchemas":{}}`, `uses "dependentSchemas"`},
		{"patternProperties", `{"type":"object","properties":{},"required":[],"additionalProperties":false,"patternProperties":{"^x":{"type":"string"}}}`, `uses "patternProperties"`},

		// anyOf below the root, each member a schema strict mode takes.
		{"anyOf", one(`{"anyOf":[{"type":"string"},` + one(`{"type":"number"}`) + `]}`), ""},
		{"anyOf with an open object", one(`{"anyOf":[{"type":"string"},{"type":"object","properties":{}}]}`), "additionalProperties"},
		{"an empty anyOf", one(`{"anyOf":[]}`), "anyOf"},

		// $defs at the root, $ref to them or to the root, recursion
		// included; a $ref alone.
		{"a recursive definition", linkedList, ""},
		{"recursion through the root", tree, ""},
		{"a $ref to a missing definition", one(`{"$ref":"#/$defs/nothing"}`), "$ref"},
		{"a $ref outside the schema", one(`{"$ref":"https://example.com/schema.json"}`), "$ref"},
		{"a $ref to definitions, the older name", `{"type":"object","properties":{"a":{"$ref":"#/definitions/s"}},"required":["a"],"additionalProperties":false,"definitions":{"s":{"type":"string"}}}`, ""},
		{"a $ref to a definition of another name", `{"type":"object","properties":{"a":{"$ref":"#/definitions/s"}},"required":["a"],"additionalProperties":false,"$defs":{"s":{"type":"string"}}}`, "$ref"},
		{"a $ref to an escaped name", `{"type":"object","properties":{"a":{"$ref":"#/$defs/a~1b"}},"required":["a"],"additionalProperties":false,"$defs":{"a/b":{"type":"string"}}}`, ""},
		{"a $ref beside a description", `{"type":"object","properties":{"a":{"$ref":"#/$defs/s","description":"x"}},"required":["a"],"additionalProperties":false,"$defs":{"s":{"type":"string"}}}`, `beside "$ref"`},
		{"a $ref beside a keyword of no kind", `{"type":"object","properties":{"a":{"$ref":"#/$defs/s","default":"x"}},"required":["a"],"additionalProperties":false,"$defs":{"s":{"type":"string"}}}`, `uses "default"`},
		{"$schema and $id at the root", `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","type":"object","properties":{},"required":[],"additionalProperties":false}`, ""},
		{"$schema below the root", one(`{"type":"string","$schema":"https://json-schema.org/draft/2020-12/schema"}`), `uses "$schema"`},
		{"$defs below the root", one(`{"type":"string","$defs":{}}`), `uses "$defs"`},
		{"a definition strict mode refuses", `{"type":"object","properties":{},"required":[],"additionalProperties":false,"$defs":{"open":{"type":"object","properties":{}}}}`, "$.$defs.open"},

		// At most 10 levels of nesting below the root.
		{"10 levels", nested(strictMaxDepth), ""},
		{"11 levels", nested(strictMaxDepth + 1), "nested"},
		{"10 levels through an array", one(one(one(one(`{"type":"array","items":` + nested(5) + `}`)))), ""},
		{"11 levels through an array", one(one(one(one(`{"type":"array","items":` + nested(6) + `}`)))), "nested"},

		// At most 5,000 object properties in all.
		{"5,000 properties", manyProperties(strictMaxProperties), ""},
		{"5,001 properties", manyProperties(strictMaxProperties + 1), "properties"},

		// At most 1,000 enum values in all.
		{"1,000 enum values", enumOf(strictMaxEnumValues, 0), ""},
		{"1,001 enum values", enumOf(strictMaxEnumValues+1, 0), "enum values"},
		{"1,001 enum values in two enums", closed(map[string]string{"a": `{"type":"integer","enum":[` + strings.Repeat("1,", 500) + `1]}`,
			"b": `{"type":"integer","enum":[` + strings.Repeat("1,", 499) + `1]}`}), "enum values"},

		// A string enum of more than 250 values has at most 15,000
		// characters.
		{"250 long values", enumOf(strictLongEnum, 100), ""},
		{"251 values within 15,000 characters", enumOf(strictLongEnum+1, 59), ""},
		{"251 values over 15,000 characters", enumOf(strictLongEnum+1, 60), "string enum"},

		// At most 120,000 characters of property and definition names and
		// enum and const values.
		{"120,000 characters", one(`{"type":"string","const":"` + long[:strictMaxChars-1] + `"}`), ""},
		{"120,001 characters", one(`{"type":"string","const":"` + long + `"}`), "characters"},
		{"120,001 characters with a definition name", `{"type":"object","properties":{},"required":[],"additionalProperties":false,"$defs":{"` + long + `x":{"type":"string"}}}`, "characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := strictSchemaProblem(json.RawMessage(tc.schema))
			if tc.want == "" {
				assert.Empty(t, got, "strict mode takes this schema")
				return
			}
			assert.Contains(t, got, tc.want)
		})
	}
}

// The problem a client reads (require_parameters' reason) names the one
// rule broken and the schema that breaks it, by its path from the root;
// of several, the first found walking properties, then definitions, in
// name order, so the same schema always gets the same answer.
func TestStrictSchemaProblemNamesTheRuleAndWhere(t *testing.T) {
	user := func(name string) string {
		return `{"type":"object","properties":{"user":` + closed(map[string]string{"name": name}) + `},"required":["user"],"additionalProperties":false}`
	}
	cases := []struct{ name, schema, want string }{
		{"a keyword strict mode does not support", user(`{"type":"string","minLength":1}`),
			`$.properties.user.properties.name uses "minLength", which strict mode does not support`},
		{"a keyword of another type", user(`{"type":"number","pattern":"^1"}`),
			`$.properties.user.properties.name uses "pattern" with type number, which strict mode does not support`},
		{"a format", user(`{"type":"string","format":"uri"}`),
			`$.properties.user.properties.name uses format "uri", which strict mode does not support`},
		{"two types", user(`{"type":["string","number"]}`),
			`$.properties.user.properties.name has type ["string","number"], which strict mode does not support`},
		{"an optional property", `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false}`,
			`$.properties.b is not in "required", which strict mode requires of every property`},
		{"a required name without a property", `{"type":"object","properties":{"a":{"type":"string"}},"required":["a","b"],"additionalProperties":false}`,
			`$ lists "b" in "required" without such a property, which strict mode does not support`},
		{"an open object", user(`{"type":"object","properties":{}}`),
			`$.properties.user.properties.name is an object without "additionalProperties": false, which strict mode requires`},
		{"an array's items", one(`{"type":"array","items":{"type":"string","default":"x"}}`),
			`$.properties.a.items uses "default", which strict mode does not support`},
		{"an anyOf member", one(`{"anyOf":[{"type":"string"},{"type":"object","properties":{}}]}`),
			`$.properties.a.anyOf[1] is an object without "additionalProperties": false, which strict mode requires`},
		{"a name that is not an identifier", closed(map[string]string{"first name": `{"type":"string","minLength":1}`}),
			`$.properties["first name"] uses "minLength", which strict mode does not support`},
		{"a definition", `{"type":"object","properties":{},"required":[],"additionalProperties":false,"$defs":{"open":{"type":"object","properties":{}}}}`,
			`$.$defs.open is an object without "additionalProperties": false, which strict mode requires`},
		{"a $ref to a missing definition", one(`{"$ref":"#/$defs/nothing"}`),
			`$.properties.a has "$ref" "#/$defs/nothing", which is neither "#" nor one of the root's definitions`},
		{"an array root", `{"type":"array","items":{"type":"string"}}`,
			`$ is not an object schema, which strict mode requires at the root`},
		{"too deep", nested(strictMaxDepth + 1),
			`$` + strings.Repeat(".properties.a", strictMaxDepth+1) + ` is nested more than 10 levels below the root, over strict mode's limit`},
		{"too many properties", manyProperties(strictMaxProperties + 1),
			`the schema has 5001 object properties, over strict mode's 5000`},
		{"the first of several, by name", closed(map[string]string{"b": `{"type":"string","minLength":1}`, "a": `{"type":"string","maxLength":1}`}),
			`$.properties.a uses "maxLength", which strict mode does not support`},
		{"properties before definitions", `{"type":"object","properties":{"z":{"type":"string","minLength":1}},"required":["z"],"additionalProperties":false,"$defs":{"a":{"type":"string","maxLength":1}}}`,
			`$.properties.z uses "minLength", which strict mode does not support`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, strictSchemaProblem(json.RawMessage(tc.schema)))
		})
	}
}
