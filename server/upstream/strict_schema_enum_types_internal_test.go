package upstream

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An enum or const without a type gets the type its values all have, in
// every place a schema can sit, and nothing else changes: a schema whose
// values have no one type, or that has its type (or anyOf, $ref), is left
// as it is, and a schema with nothing to type in comes back as sent.
func TestTypeEnumsWritesTheTypeTheValuesHave(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"enum":["a","b"]}`, `{"type":"string","enum":["a","b"]}`},
		{`{"const":true}`, `{"type":"boolean","const":true}`},
		{`{"enum":[1,-2]}`, `{"type":"integer","enum":[1,-2]}`},
		{`{"enum":[1,2.5,1e3]}`, `{"type":"number","enum":[1,2.5,1e3]}`},
		{`{"enum":["a",null]}`, `{"type":["string","null"],"enum":["a",null]}`},
		{`{"enum":[null]}`, `{"type":"null","enum":[null]}`},
		{`{"enum":["a",1]}`, `{"enum":["a",1]}`},
		{`{"enum":[{"a":1}]}`, `{"enum":[{"a":1}]}`},
		{`{"enum":[]}`, `{"enum":[]}`},
		{`{"type":"string","enum":["a"]}`, `{"type":"string","enum":["a"]}`},
		{`{"anyOf":[{"const":"x"},{"type":"null"}]}`, `{"anyOf":[{"type":"string","const":"x"},{"type":"null"}]}`},
		{`{"$ref":"#/$defs/k"}`, `{"$ref":"#/$defs/k"}`},
		// A list of types, more than one beside null, becomes an anyOf.
		{`{"type":["string","number"],"description":"d"}`, `{"anyOf":[{"type":"string"},{"type":"number"}],"description":"d"}`},
		{`{"type":["string","integer","null"]}`, `{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}`},
		{`{"type":["string","null"]}`, `{"type":["string","null"]}`},
		{`{"type":["string","number"],"minimum":1}`, `{"type":["string","number"],"minimum":1}`},
		{`{"type":["string",1]}`, `{"type":["string",1]}`},
		// Pretty-printed, an escaped key and definitions: members keep their
		// order, and a schema with nothing to type stays as written.
		{"{\n  \"type\": \"object\",\n  \"properties\": {\"z\\\"q\": {\"enum\": [\"a\"]}, \"a\": {\"$ref\": \"#/$defs/k\"}},\n  \"$defs\": {\"k\": {\"const\": 3}}\n}",
			`{"type":"object","properties":{"z\"q":{"type":"string","enum":["a"]},"a":{"$ref": "#/$defs/k"}},"$defs":{"k":{"type":"integer","const":3}}}`},
		// An enum's values are values, not schemas: nothing inside them changes.
		{`{"type":"array","items":{"enum":[["x"]]},"default":{"properties":{"p":{"enum":["a"]}}}}`,
			`{"type":"array","items":{"enum":[["x"]]},"default":{"properties":{"p":{"enum":["a"]}}}}`},
	} {
		got, changed := typeEnums([]byte(c.in), 0)
		assert.Equal(t, c.want, string(got), c.in)
		assert.True(t, json.Valid(got), c.in)
		assert.Equal(t, c.want != c.in, changed, c.in)
	}
}

// strictSchema sends the typed copy only where it makes the schema strict;
// a schema still outside strict mode goes as sent, with the rule it breaks
// beside its enums.
func TestStrictSchemaTypesEnumsOnlyWhereThatMakesItStrict(t *testing.T) {
	const typeless = `{"type":"object","properties":{"p":{"enum":["a"]}},"required":["p"],"additionalProperties":false}`
	got, problem := strictSchema(json.RawMessage(typeless))
	assert.Empty(t, problem)
	assert.Equal(t, `{"type":"object","properties":{"p":{"type":"string","enum":["a"]}},"required":["p"],"additionalProperties":false}`, string(got))

	const optional = `{"type":"object","properties":{"p":{"enum":["a"]},"q":{"type":"string"}},"required":["p"],"additionalProperties":false}`
	got, problem = strictSchema(json.RawMessage(optional))
	assert.Equal(t, optional, string(got), "as sent")
	assert.Equal(t, `$.properties.q is not in "required", which strict mode requires of every property`, problem)
}

// A schema nested far below strict mode's deepest level is outside it
// whatever its enums: the walk stops there, so 5,000 levels (half as deep as
// the body's decoder goes) cost a few passes, not one a level, and its
// enums down there stay as sent.
func TestTypeEnumsStopsBelowStrictModesDeepest(t *testing.T) {
	deep := strings.Repeat(`{"type":"array","items":`, 5000) + `{"enum":["a"]}` + strings.Repeat(`}`, 5000)
	got, changed := typeEnums([]byte(deep), 0)
	assert.False(t, changed)
	assert.Equal(t, deep, string(got))
	_, problem := strictSchema(json.RawMessage(`{"type":"object","properties":{"p":` + deep + `},"required":["p"],"additionalProperties":false}`))
	assert.Contains(t, problem, "nested more than 10 levels below the root")
}

// typeEnums takes any bytes a client sends: it never panics, and a schema
// that is JSON stays JSON.
func FuzzTypeEnums(f *testing.F) {
	f.Add(zodLikeSchema)
	f.Add(`{"anyOf":[{"enum":["a",null]},{"const":1.5}],"$defs":{"x":{"enum":[true]}}}`)
	f.Add(`{"properties":{"a":{"enum":"notalist"},"b":{"const":{}},"c":{"items":[{"enum":[1]}]}}}`)
	f.Fuzz(func(t *testing.T, schema string) {
		got, _ := typeEnums([]byte(schema), 0)
		if json.Valid([]byte(schema)) && !json.Valid(got) {
			t.Fatalf("%q became %q", schema, got)
		}
	})
}

const zodLikeSchema = `{"type":"object","properties":{"p":{"enum":["low","high"]},"k":{"const":"x"},"l":{"type":"array","items":{"enum":[1,2]}}},"required":["p","k","l"],"additionalProperties":false}`
