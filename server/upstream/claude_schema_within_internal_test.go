package upstream

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A schema sent without strict is brought within Claude's subset as
// Anthropic's SDKs bring it: objects that name their properties are
// closed, and the constraints Claude does not take move into their
// schema's description, which the model still reads. Keys keep the
// client's order; what could not be brought within is named by the check
// (want), as it would be of the schema as sent.
func TestClaudeWithinSubsetMovesConstraintsIntoDescriptions(t *testing.T) {
	cases := []struct{ name, schema, sent, want string }{
		{"an open object is closed, its constraints described",
			`{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":40},"age":{"type":"integer","description":"in years","minimum":0,"maximum":150}},"required":["name"]}`,
			`{"type":"object","properties":{"name":{"type":"string","description":"{minLength: 1, maxLength: 40}"},"age":{"type":"integer","description":"in years\n\n{minimum: 0, maximum: 150}"}},"required":["name"],"additionalProperties":false}`, ""},
		{"arrays: maxItems and minItems over 1 move, minItems 1 stays",
			`{"type":"object","properties":{"a":{"type":"array","items":{"type":"number","exclusiveMinimum":0,"multipleOf":0.5},"minItems":2,"maxItems":5},"b":{"type":"array","minItems":1}},"additionalProperties":false}`,
			`{"type":"object","properties":{"a":{"type":"array","items":{"type":"number","description":"{exclusiveMinimum: 0, multipleOf: 0.5}"},"description":"{minItems: 2, maxItems: 5}"},"b":{"type":"array","minItems":1}},"additionalProperties":false}`, ""},
		{"a pattern Claude refuses moves, a simple one stays",
			`{"type":"object","properties":{"w":{"type":"string","pattern":"\\bword\\b"},"d":{"type":"string","pattern":"^[0-9]+$"}},"additionalProperties":false}`,
			`{"type":"object","properties":{"w":{"type":"string","description":"{pattern: \"\\\\bword\\\\b\"}"},"d":{"type":"string","pattern":"^[0-9]+$"}},"additionalProperties":false}`, ""},
		{"definitions, anyOf and nested objects",
			`{"type":"object","properties":{"x":{"$ref":"#/$defs/p"},"y":{"anyOf":[{"type":"object","properties":{"q":{"type":"string","maxLength":3}}},{"type":"null"}]}},"$defs":{"p":{"type":"object","properties":{"v":{"type":"number","maximum":1}}}}}`,
			`{"type":"object","properties":{"x":{"$ref":"#/$defs/p"},"y":{"anyOf":[{"type":"object","properties":{"q":{"type":"string","description":"{maxLength: 3}"}},"additionalProperties":false},{"type":"null"}]}},"$defs":{"p":{"type":"object","properties":{"v":{"type":"number","description":"{maximum: 1}"}},"additionalProperties":false}},"additionalProperties":false}`, ""},
		{"a schema Claude takes is sent as written", `{"type":"object", "properties":{"a":{"type":"string"}},"additionalProperties":false}`,
			`{"type":"object", "properties":{"a":{"type":"string"}},"additionalProperties":false}`, ""},
		{"a map stays open", `{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"string","maxLength":2}}}}`,
			`{"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"string","maxLength":2}}},"additionalProperties":false}`,
			`$.properties.m is an object without "additionalProperties": false, which Claude's structured outputs require`},
		{"additionalProperties true stays open", `{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true}`,
			`{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true}`,
			`$ is an object without "additionalProperties": false`},
		{"a free-form object stays open", `{"type":"object","properties":{"any":{"type":"object"}}}`,
			`{"type":"object","properties":{"any":{"type":"object"}},"additionalProperties":false}`,
			`$.properties.any is an object without "additionalProperties": false`},
		{"recursion stays refused", `{"type":"object","properties":{"n":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}}}}}`,
			`{"type":"object","properties":{"n":{"$ref":"#/$defs/n"}},"$defs":{"n":{"type":"object","properties":{"next":{"$ref":"#/$defs/n"}},"additionalProperties":false}},"additionalProperties":false}`,
			`$.$defs.n reaches itself through "$ref"`},
		{"a description that is not a string keeps its constraints", `{"type":"object","properties":{"a":{"type":"string","description":1,"maxLength":2}},"additionalProperties":false}`,
			`{"type":"object","properties":{"a":{"type":"string","description":1,"maxLength":2}},"additionalProperties":false}`, `$.properties.a has a "description" that is not a string`},
		{"a title that is not a string stays named", `{"type":"object","properties":{"a":{"type":"string","title":["A"]}}}`,
			`{"type":"object","properties":{"a":{"type":"string","title":["A"]}},"additionalProperties":false}`, `$.properties.a has a "title" that is not a string`},
		{"formats Claude does not take and examples move, as Pydantic writes them",
			`{"type":"object","title":"Upload","properties":{"id":{"type":"string","format":"uuid4","examples":["0b7e"],"title":"Id"},"size":{"type":"integer","format":"int64","description":"bytes","minimum":0},"data":{"type":"string","format":"binary"},"at":{"type":"string","format":"date-time"}},"required":["id"],"examples":[{"id":"0b7e"}]}`,
			`{"type":"object","title":"Upload","properties":{"id":{"type":"string","title":"Id","description":"{format: \"uuid4\", examples: [\"0b7e\"]}"},"size":{"type":"integer","description":"bytes\n\n{minimum: 0, format: \"int64\"}"},"data":{"type":"string","description":"{format: \"binary\"}"},"at":{"type":"string","format":"date-time"}},"required":["id"],"additionalProperties":false,"description":"{examples: [{\"id\":\"0b7e\"}]}"}`, ""},
		{"a format Claude takes moves where the schema is not a string's", `{"type":"object","properties":{"n":{"type":"number","format":"date"}}}`,
			`{"type":"object","properties":{"n":{"type":"number","description":"{format: \"date\"}"}},"additionalProperties":false}`, ""},
		{"a format that is not a string stays named", `{"type":"object","properties":{"s":{"type":"string","format":7,"maxLength":2}}}`,
			`{"type":"object","properties":{"s":{"type":"string","format":7,"description":"{maxLength: 2}"}},"additionalProperties":false}`, `$.properties.s uses format 7`},
		{"oneOf becomes anyOf, its objects closed, as Zod's discriminated unions are sent",
			`{"type":"object","properties":{"shape":{"oneOf":[{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","minimum":0}},"required":["kind","r"]},{"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number"}},"required":["kind","side"]}]}},"required":["shape"]}`,
			`{"type":"object","properties":{"shape":{"anyOf":[{"type":"object","properties":{"kind":{"type":"string","const":"circle"},"r":{"type":"number","description":"{minimum: 0}"}},"required":["kind","r"],"additionalProperties":false},{"type":"object","properties":{"kind":{"type":"string","const":"square"},"side":{"type":"number"}},"required":["kind","side"],"additionalProperties":false}]}},"required":["shape"],"additionalProperties":false}`, ""},
		{"Pydantic's discriminated union: oneOf becomes anyOf, its discriminator described",
			`{"$defs":{"Cat":{"properties":{"pet_type":{"const":"cat","title":"Pet Type","type":"string"}},"required":["pet_type"],"title":"Cat","type":"object"}},"properties":{"pet":{"discriminator":{"mapping":{"cat":"#/$defs/Cat"},"propertyName":"pet_type"},"oneOf":[{"$ref":"#/$defs/Cat"},{"type":"null"}],"title":"Pet"}},"required":["pet"],"title":"Owner","type":"object"}`,
			`{"$defs":{"Cat":{"properties":{"pet_type":{"const":"cat","title":"Pet Type","type":"string"}},"required":["pet_type"],"title":"Cat","type":"object","additionalProperties":false}},"properties":{"pet":{"anyOf":[{"$ref":"#/$defs/Cat"},{"type":"null"}],"title":"Pet","description":"{discriminator: {\"mapping\":{\"cat\":\"#/$defs/Cat\"},\"propertyName\":\"pet_type\"}}"}},"required":["pet"],"title":"Owner","type":"object","additionalProperties":false}`, ""},
		{"a const alone gets its value's type",
			`{"type":"object","properties":{"s":{"const":"x"},"i":{"const":3},"f":{"const":2.5},"b":{"const":false},"z":{"const":null}}}`,
			`{"type":"object","properties":{"s":{"type":"string","const":"x"},"i":{"type":"integer","const":3},"f":{"type":"number","const":2.5},"b":{"type":"boolean","const":false},"z":{"type":"null","const":null}},"additionalProperties":false}`, ""},
		{"a schema that accepts any value stays refused, as Pydantic writes Any",
			`{"type":"object","properties":{"x":{"title":"X"},"y":{"type":"integer"}},"required":["x","y"]}`,
			`{"type":"object","properties":{"x":{"title":"X"},"y":{"type":"integer"}},"required":["x","y"],"additionalProperties":false}`,
			`$.properties.x has no "type"`},
		{"a schema left typeless once its not moves stays refused",
			`{"type":"object","properties":{"x":{"not":{"type":"null"}}}}`,
			`{"type":"object","properties":{"x":{"description":"{not: {\"type\":\"null\"}}"}},"additionalProperties":false}`,
			`$.properties.x has no "type"`},
		{"oneOf beside anyOf stays",
			`{"type":"object","properties":{"a":{"anyOf":[{"type":"string"}],"oneOf":[{"type":"number"}]}}}`,
			`{"type":"object","properties":{"a":{"anyOf":[{"type":"string"}],"oneOf":[{"type":"number"}]}},"additionalProperties":false}`,
			`$.properties.a uses "oneOf", which Claude's structured outputs do not support`},
		{"minProperties, maxProperties, uniqueItems and not move",
			`{"type":"object","properties":{"o":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"minProperties":1,"maxProperties":2},"s":{"type":"array","items":{"type":"string","not":{"const":""}},"uniqueItems":true}},"required":["o"]}`,
			`{"type":"object","properties":{"o":{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"additionalProperties":false,"description":"{minProperties: 1, maxProperties: 2}"},"s":{"type":"array","items":{"type":"string","description":"{not: {\"const\":\"\"}}"},"description":"{uniqueItems: true}"}},"required":["o"],"additionalProperties":false}`, ""},
		{"a tuple's prefixItems move with the items past it",
			`{"type":"object","properties":{"point":{"type":"array","prefixItems":[{"type":"number"},{"type":"object","properties":{"z":{"type":"number"}}}],"items":{"type":"string","maxLength":2}}}}`,
			`{"type":"object","properties":{"point":{"type":"array","description":"{prefixItems: [{\"type\":\"number\"},{\"type\":\"object\",\"properties\":{\"z\":{\"type\":\"number\"}}}], items: {\"type\":\"string\",\"maxLength\":2}}",` +
				`"items":{"anyOf":[{"type":"number"},{"type":"object","properties":{"z":{"type":"number"}},"additionalProperties":false},{"type":"string","description":"{maxLength: 2}"}]}}},"additionalProperties":false}`, ""},
		{"a tuple written as a list of items moves with additionalItems, as zod-to-json-schema writes one",
			`{"type":"object","properties":{"pair":{"type":"array","minItems":2,"maxItems":2,"items":[{"type":"string"},{"type":"number"}],"additionalItems":false}}}`,
			`{"type":"object","properties":{"pair":{"type":"array","description":"{minItems: 2, maxItems: 2, items: [{\"type\":\"string\"},{\"type\":\"number\"}], additionalItems: false}","items":{"anyOf":[{"type":"string"},{"type":"number"}]}}},"additionalProperties":false}`, ""},
		{"zod-to-json-schema's z.tuple([z.string(), z.number()]): maxItems ends it",
			`{"type":"object","properties":{"pair":{"type":"array","minItems":2,"maxItems":2,"items":[{"type":"string"},{"type":"number"}]}},"required":["pair"]}`,
			`{"type":"object","properties":{"pair":{"type":"array","description":"{minItems: 2, maxItems: 2, items: [{\"type\":\"string\"},{\"type\":\"number\"}]}","items":{"anyOf":[{"type":"string"},{"type":"number"}]}}},"required":["pair"],"additionalProperties":false}`, ""},
		{"Pydantic's tuple[int, str]",
			`{"type":"object","properties":{"pair":{"maxItems":2,"minItems":2,"prefixItems":[{"type":"integer"},{"type":"string"}],"title":"Pair","type":"array"}},"required":["pair"]}`,
			`{"type":"object","properties":{"pair":{"title":"Pair","type":"array","description":"{minItems: 2, maxItems: 2, prefixItems: [{\"type\":\"integer\"},{\"type\":\"string\"}]}","items":{"anyOf":[{"type":"integer"},{"type":"string"}]}}},"required":["pair"],"additionalProperties":false}`, ""},
		{"Pydantic's tuple[int, int]: one schema, its places' objects closed and constraints moved",
			`{"type":"object","properties":{"p":{"maxItems":2,"minItems":2,"prefixItems":[{"type":"integer","minimum":0},{"type":"integer","minimum":0}],"type":"array"},"q":{"type":"array","prefixItems":[{"type":"object","properties":{"a":{"type":"string"}}}],"items":false}}}`,
			`{"type":"object","properties":{"p":{"type":"array","description":"{minItems: 2, maxItems: 2, prefixItems: [{\"type\":\"integer\",\"minimum\":0},{\"type\":\"integer\",\"minimum\":0}]}","items":{"type":"integer","description":"{minimum: 0}"}},` +
				`"q":{"type":"array","description":"{prefixItems: [{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}], items: false}","items":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}},"additionalProperties":false}`, ""},
		{"a tuple that lets an item be any value gets no items",
			`{"type":"object","properties":{"open":{"type":"array","prefixItems":[{"type":"string"}]},"any":{"type":"array","items":[true,{"type":"string"}],"additionalItems":false}}}`,
			`{"type":"object","properties":{"open":{"type":"array","description":"{prefixItems: [{\"type\":\"string\"}]}"},"any":{"type":"array","description":"{items: [true,{\"type\":\"string\"}], additionalItems: false}"}},"additionalProperties":false}`, ""},
		{"a tuple's anyOf counts among Claude's 16",
			`{"type":"object","properties":{` + claudeUnionProperties(16) + `,"t":{"type":"array","items":[{"type":"string"},{"type":"number"}],"additionalItems":false}},"additionalProperties":false}`,
			`{"type":"object","properties":{` + claudeUnionProperties(16) + `,"t":{"type":"array","description":"{items: [{\"type\":\"string\"},{\"type\":\"number\"}], additionalItems: false}","items":{"anyOf":[{"type":"string"},{"type":"number"}]}}},"additionalProperties":false}`,
			`the strict schemas have 17 schemas with "anyOf" or a list of types, over Claude's 16 in a request`},
		{"a boolean schema stays refused", `{"type":"object","properties":{"any":true,"a":{"type":"string","maxLength":1}}}`,
			`{"type":"object","properties":{"any":true,"a":{"type":"string","description":"{maxLength: 1}"}},"additionalProperties":false}`,
			`$.properties.any is not a schema (a JSON object)`},
		{"zod-to-json-schema's $ref to where a schema was first written is written out",
			`{"type":"object","properties":{"billing":{"type":"object","properties":{"street":{"type":"string","minLength":1}},"required":["street"]},"shipping":{"$ref":"#/properties/billing"},"tags":{"type":"array","items":{"anyOf":[{"type":"string"},{"type":"null"}]}},"more":{"type":"array","items":{"$ref":"#/properties/tags/items/anyOf/0"}}},"required":["billing","shipping"]}`,
			`{"type":"object","properties":{"billing":{"type":"object","properties":{"street":{"type":"string","description":"{minLength: 1}"}},"required":["street"],"additionalProperties":false},"shipping":{"type":"object","properties":{"street":{"type":"string","description":"{minLength: 1}"}},"required":["street"],"additionalProperties":false},"tags":{"type":"array","items":{"anyOf":[{"type":"string"},{"type":"null"}]}},"more":{"type":"array","items":{"type":"string"}}},"required":["billing","shipping"],"additionalProperties":false}`, ""},
		{"a $ref to a schema holding such a $ref stays: recursion",
			`{"type":"object","properties":{"n":{"type":"object","properties":{"v":{"type":"string"},"next":{"$ref":"#/properties/n"}}}}}`,
			`{"type":"object","properties":{"n":{"type":"object","properties":{"v":{"type":"string"},"next":{"$ref":"#/properties/n"}},"additionalProperties":false}},"additionalProperties":false}`,
			`$.properties.n.properties.next has "$ref" "#/properties/n", which is not one of the root's definitions, as Claude's structured outputs require`},
		{"a $ref beside other keywords, or to nothing, stays",
			`{"type":"object","properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a","description":"b"},"c":{"$ref":"#/properties/x"}}}`,
			`{"type":"object","properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a","description":"b"},"c":{"$ref":"#/properties/x"}},"additionalProperties":false}`,
			`$.properties.b has "$ref" "#/properties/a", which is not one of the root's definitions`},
		{"not an object", `[1]`, `[1]`, "not a JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertWithinSubset(t, tc.schema, tc.sent, tc.want) })
	}
}

// Closing an object whose instance another schema also describes (the
// members of its allOf, a parent naming properties beside anyOf) would
// forbid what that other schema names: {"a": "x", "b": "y"} meets both
// members of the allOf as sent, and neither once each is closed. Such
// objects stay open, and the schema outside the subset, as sent.
func TestClaudeWithinSubsetLeavesComposedObjectsOpen(t *testing.T) {
	cases := []struct{ name, schema, want string }{
		{"allOf members",
			`{"type":"object","properties":{"p":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"type":"object","properties":{"b":{"type":"string","maxLength":9}},"required":["b"]}]}},"required":["p"],"additionalProperties":false}`,
			`$.properties.p.allOf[0] is an object without "additionalProperties": false`},
		{"properties beside anyOf",
			`{"type":"object","properties":{"kind":{"type":"string"}},"anyOf":[{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]},{"type":"object","properties":{"y":{"type":"string"}},"required":["y"]}],"required":["kind"]}`,
			`$.anyOf[0] is an object without "additionalProperties": false`},
		{"properties beside oneOf",
			`{"type":"object","properties":{"kind":{"type":"string"}},"oneOf":[{"type":"object","properties":{"x":{"type":"string"}},"required":["x"]},{"type":"object","properties":{"y":{"type":"string"}},"required":["y"]}],"required":["kind"]}`,
			`$.anyOf[0] is an object without "additionalProperties": false`},
		{"properties beside allOf",
			`{"type":"object","properties":{"q":{"type":"object","properties":{"a":{"type":"string"}},"allOf":[{"type":"object","properties":{"b":{"type":"string"}}}]}},"additionalProperties":false}`,
			`$.properties.q.allOf[0] is an object without "additionalProperties": false`},
		{"properties beside $ref",
			`{"type":"object","properties":{"q":{"type":"object","properties":{"a":{"type":"string"}},"$ref":"#/$defs/b"}},"$defs":{"b":{"type":"object","properties":{"b":{"type":"string"}}}},"additionalProperties":false}`,
			`$.properties.q is an object without "additionalProperties": false`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, why := claudeOutputSchema([]byte(tc.schema), false)
			assert.Contains(t, why, tc.want)
		})
	}
	// A single allOf member, alone on its instance, and anyOf's
	// alternatives under a parent naming no properties are still closed.
	sent, _, why := claudeOutputSchema([]byte(`{"type":"object","properties":{"p":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}}}]},"u":{"anyOf":[{"type":"object","properties":{"x":{"type":"string"}}},{"type":"null"}]}}}`), false)
	assert.Empty(t, why)
	assert.Equal(t, `{"type":"object","properties":{"p":{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}]},"u":{"anyOf":[{"type":"object","properties":{"x":{"type":"string"}},"additionalProperties":false},{"type":"null"}]}},"additionalProperties":false}`, string(sent))
}

// A strict format's schema is held to as written: nothing is brought
// within; without strict the rule named is the one the schema brought
// within still breaks.
func TestClaudeOutputSchemaBringsWithinOnlyWithoutStrict(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"a":{"type":"string","maxLength":2}}}`)
	_, _, why := claudeOutputSchema(schema, true)
	assert.Equal(t, `$ is an object without "additionalProperties": false, which Claude's structured outputs require`, why)
	sent, count, why := claudeOutputSchema(schema, false)
	assert.Empty(t, why)
	assert.Equal(t, claudeSchemaCount{optional: 1}, count)
	assert.Equal(t, `{"type":"object","properties":{"a":{"type":"string","description":"{maxLength: 2}"}},"additionalProperties":false}`, string(sent))
}

// A schema nested deeper than encoding/json reads is left as sent, not
// read into a stack that only grows.
func TestClaudeWithinSubsetLeavesTooDeepAlone(t *testing.T) {
	deep := `{"type":"object","properties":{"a":` + strings.Repeat(`[`, maxJSONTreeDepth+1) + strings.Repeat(`]`, maxJSONTreeDepth+1) + `}}`
	assert.Equal(t, deep, string(claudeWithinSubset([]byte(deep))))
}

// A long object (its keys found through an index) reads a repeated key as
// a short one does: the last value, where the first stood.
func TestClaudeWithinSubsetReadsRepeatedKeysOfLongObjects(t *testing.T) {
	var in, out []string
	for i := range 40 {
		in = append(in, fmt.Sprintf(`"p%d":{"type":"string"}`, i))
	}
	out = append(out, `"p0":{"type":"number","description":"{maximum: 2}"}`)
	out = append(out, in[1:]...)
	in = append(in, `"p0":{"type":"number","maximum":2}`)
	sent := claudeWithinSubset([]byte(`{"type":"object","properties":{` + strings.Join(in, ",") + `}}`))
	assert.Equal(t, `{"type":"object","properties":{`+strings.Join(out, ",")+`},"additionalProperties":false}`, string(sent))
}

// A schema brought within keeps its root's keys in the client's order
// once its $schema is left out (the Vercel AI SDK's schemas carry one), as
// it keeps every other object's.
func TestClaudeOutputSchemaWithoutStrictKeepsTheRootsOrderLessItsSchema(t *testing.T) {
	sent, _, why := claudeOutputSchema([]byte(`{"type":"object","properties":{"b":{"type":"string","maxLength":1},"a":{"type":"string"}},"required":["b"],"$schema":"http://json-schema.org/draft-07/schema#"}`), false)
	assert.Empty(t, why)
	assert.Equal(t, `{"type":"object","properties":{"b":{"type":"string","description":"{maxLength: 1}"},"a":{"type":"string"}},"required":["b"],"additionalProperties":false}`, string(sent))
	_, _, why = claudeOutputSchema([]byte(`{"type":"object","properties":{"a":{"type":"string","maxLength":1}},"$schema":1}`), false)
	assert.Equal(t, `$ has "$schema" that is not a string`, why)
}

// zod-to-json-schema writes an object used three times once, and a $ref
// to it twice: the copies are twice as large as what is written, more
// than the rest of the schema holds, and still written out.
func TestClaudeWithinSubsetWritesOutAnObjectUsedThreeTimes(t *testing.T) {
	party := `{"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string","format":"email"},"phone":{"type":"string"},` +
		`"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"},"zip":{"type":"string"},"country":{"type":"string"}},"required":["street","city","zip","country"],"additionalProperties":false}},` +
		`"required":["name","email","address"],"additionalProperties":false}`
	schema := `{"type":"object","properties":{"from":` + party + `,"to":{"$ref":"#/properties/from"},"billTo":{"$ref":"#/properties/from"},"total":{"type":"number"}},` +
		`"required":["from","to","billTo","total"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}`
	sent := claudeWithinSubset([]byte(schema))
	assert.Equal(t, `{"type":"object","properties":{"from":`+party+`,"to":`+party+`,"billTo":`+party+`,"total":{"type":"number"}},`+
		`"required":["from","to","billTo","total"],"additionalProperties":false}`, string(sent))
	assert.Empty(t, claudeSchemaProblem(sent))
}

// The copies together hold at most claudeInlineBudget values: past it a
// $ref stays, for the check to name, so a few bytes of $refs to a large
// schema do not grow into one of gigabytes.
func TestClaudeWithinSubsetCopiesNoMoreThanItsBudget(t *testing.T) {
	props := make([]string, claudeInlineMinBudget/4)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%d":{"type":"string"}`, i)
	}
	big := `{"type":"object","properties":{` + strings.Join(props, ",") + `},"additionalProperties":false}`
	refs := make([]string, 12)
	for i := range refs {
		refs[i] = fmt.Sprintf(`"r%d":{"$ref":"#/properties/a"}`, i)
	}
	schema := `{"type":"object","properties":{"a":` + big + `,` + strings.Join(refs, ",") + `},"additionalProperties":false}`
	sent := string(claudeWithinSubset([]byte(schema)))
	copied := strings.Count(sent, `"p0":`) - 1
	assert.Less(t, copied, len(refs), "not every $ref is written out")
	assert.LessOrEqual(t, copied*(2*len(props)+3), claudeInlineMinBudget)
	assert.Contains(t, claudeSchemaProblem([]byte(sent)), `has "$ref" "#/properties/a", which is not one of the root's definitions`)
}

// invopop/jsonschema's Reflector writes a struct as a root that is only a
// $ref to its definition: without strict it reaches Claude written out,
// its definitions beside it.
func TestClaudeWithinSubsetWritesOutARootThatIsOnlyARef(t *testing.T) {
	cases := []struct{ name, schema, sent, want string }{
		{"invopop's root",
			`{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://github.com/acme/app/order","$ref":"#/$defs/Order","$defs":{"Order":{"properties":{"id":{"type":"string","maxLength":9},"ship":{"$ref":"#/$defs/Address"}},"additionalProperties":false,"type":"object","required":["id","ship"]},"Address":{"properties":{"city":{"type":"string"}},"additionalProperties":false,"type":"object","required":["city"]}}}`,
			`{"properties":{"id":{"type":"string","description":"{maxLength: 9}"},"ship":{"$ref":"#/$defs/Address"}},"additionalProperties":false,"type":"object","required":["id","ship"],"$defs":{"Order":{"properties":{"id":{"type":"string","description":"{maxLength: 9}"},"ship":{"$ref":"#/$defs/Address"}},"additionalProperties":false,"type":"object","required":["id","ship"]},"Address":{"properties":{"city":{"type":"string"}},"additionalProperties":false,"type":"object","required":["city"]}}}`, ""},
		{"Pydantic's self-referencing model stays refused: recursion",
			`{"$defs":{"Item":{"properties":{"sub":{"anyOf":[{"$ref":"#/$defs/Item"},{"type":"null"}]}},"type":"object"}},"$ref":"#/$defs/Item"}`,
			`{"properties":{"sub":{"anyOf":[{"$ref":"#/$defs/Item"},{"type":"null"}]}},"type":"object","$defs":{"Item":{"properties":{"sub":{"anyOf":[{"$ref":"#/$defs/Item"},{"type":"null"}]}},"type":"object","additionalProperties":false}},"additionalProperties":false}`,
			`$.$defs.Item reaches itself through "$ref"`},
		{"a root $ref beside other keywords stays",
			`{"type":"object","$ref":"#/$defs/A","$defs":{"A":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}}`,
			`{"type":"object","$ref":"#/$defs/A","$defs":{"A":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}}}`,
			`$ is an object without "additionalProperties": false`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assertWithinSubset(t, tc.schema, tc.sent, tc.want) })
	}
}

// claudeUnionProperties is n properties, each a union.
func claudeUnionProperties(n int) string {
	props := make([]string, n)
	for i := range props {
		props[i] = fmt.Sprintf(`"u%d":{"anyOf":[{"type":"string"},{"type":"null"}]}`, i)
	}
	return strings.Join(props, ",")
}

// Tuples nested in tuples, each given items holding a copy of the one
// inside it, would grow to the square of the schema; the copies are held
// to the schema's size, and the tuples past it keep no items.
func TestClaudeWithinSubsetHoldsTupleCopiesToTheSchemasSize(t *testing.T) {
	const depth = 2000
	schema := `{"type":"object","properties":{"t":` + strings.Repeat(`{"type":"array","items":[`, depth) + `{"type":"string"}` + strings.Repeat(`],"additionalItems":false}`, depth) + `}}`
	sent := claudeWithinSubset([]byte(schema))
	assert.Less(t, len(sent), 4*len(schema))
	assert.Empty(t, claudeSchemaProblem(sent))
}

// assertWithinSubset checks that claudeWithinSubset sends schema as sent,
// which Claude takes when want is "" and otherwise refuses with want.
func assertWithinSubset(t *testing.T, schema, sent, want string) {
	t.Helper()
	got := claudeWithinSubset([]byte(schema))
	assert.Equal(t, sent, string(got))
	if want == "" {
		assert.Empty(t, claudeSchemaProblem(got))
	} else {
		assert.Contains(t, claudeSchemaProblem(got), want)
	}
}
