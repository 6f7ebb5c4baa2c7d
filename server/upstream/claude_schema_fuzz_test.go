package upstream

import (
	"fmt"
	"strings"
	"testing"
)

// claudeSchemaProblem takes any bytes a client sends: it never panics,
// and names the same problem each time (the walk's order is fixed).
func FuzzClaudeSchemaProblem(f *testing.F) {
	f.Add(`{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"additionalProperties":false,"$defs":{"x":{"$ref":"#/$defs/y"},"y":{"$ref":"#/$defs/x"}}}`)
	f.Add(`{"$schema":"x","type":"object","properties":{"a":{"anyOf":[{"type":["string","null"],"pattern":"(?=a)\\"}]}},"required":["a",1],"additionalProperties":false}`)
	f.Add(`{"type":"object","properties":{"a":{"type":"array","items":[{"type":"string"}],"minItems":1.0}},"additionalProperties":false,"definitions":[]}`)
	f.Add(`{"type":"object","properties":{"a":{"enum":[{}],"allOf":[{"$ref":"#/$defs/~1"}]}},"$defs":{"/":{}},"additionalProperties":false}`)
	f.Add(strings.Repeat(`{"type":"object","additionalProperties":false,"properties":{"a":`, 200) + `{}` + strings.Repeat(`}}`, 200))
	f.Fuzz(func(t *testing.T, schema string) {
		first := claudeSchemaProblem([]byte(schema))
		if again := claudeSchemaProblem([]byte(schema)); again != first {
			t.Fatalf("%q: %q, then %q", schema, first, again)
		}
		if first == "" {
			_ = claudeWithoutRootAnnotations([]byte(schema))
		}
	})
}

// Schemas built to be costly: nesting as deep as the decoder allows, a
// million-value enum, a ring of a thousand definitions, a 10 MB schema.
// Each gets its problem named (or none), and no panic.
func TestClaudeSchemaProblemNamesHostileSchemas(t *testing.T) {
	ring := make([]string, 1000)
	for i := range ring {
		ring[i] = fmt.Sprintf(`"d%d":{"$ref":"#/$defs/d%d"}`, i, (i+1)%len(ring))
	}
	values := strings.Repeat(`"v",`, 1_000_000)
	cases := []schemaCase{
		{"deep nesting", strings.Repeat(`{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":`, 4000) + `{"type":"string"}` + strings.Repeat(`}}`, 4000), ""},
		{"too deep for the decoder", strings.Repeat(`{"a":`, 20000) + `1` + strings.Repeat(`}`, 20000), "not a JSON object"},
		{"a million-value enum", `{"type":"object","additionalProperties":false,"properties":{"a":{"enum":[` + values + `"v"]}}}`, ""},
		{"a ring of definitions", `{"type":"object","additionalProperties":false,"properties":{"a":{"$ref":"#/$defs/d0"}},"$defs":{` + strings.Join(ring, ",") + `}}`, "recursive"},
		{"10 MB of descriptions", `{"type":"object","additionalProperties":false,"description":"` + strings.Repeat("x", 10<<20) + `","properties":{}}`, ""},
		{"a number, not a schema", `42`, "not a JSON object"},
	}
	checkSchemaCases(t, cases)
}

// BenchmarkClaudeSchemaProblemDeep is a schema nested as deep as a
// request's decoder allows (about 5,000 objects), which a client may send.
func BenchmarkClaudeSchemaProblemDeep(b *testing.B) {
	schema := []byte(strings.Repeat(`{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":`, 4990) + `{"type":"string"}` + strings.Repeat(`}}`, 4990))
	b.ReportAllocs()
	for b.Loop() {
		claudeSchemaProblem(schema)
	}
}

// A schema sent without strict is brought within Claude's subset from any
// bytes: no panic, and what is sent passes the check; a schema Claude
// takes as written is sent as the strict path sends it.
func FuzzClaudeOutputSchemaWithoutStrict(f *testing.F) {
	f.Add(`{"type":"object","properties":{"a":{"type":"string","minLength":1,"description":"x"}}}`)
	f.Add(`{"type":"object","properties":{"a":{"type":["array","null"],"minItems":"2","items":{"pattern":"\\b"}}},"$defs":{"d":{"type":"object","properties":{"b":{}}}}}`)
	f.Add(`{"type":"object","properties":{"a":{"anyOf":[{"type":"object","properties":{"c":{"maximum":1}}}]}},"additionalProperties":{"type":"string"}}`)
	f.Add(`{"type":"object","properties":{"a":{"type":"string"},"a":{"type":"number","maximum":2}}}`)
	f.Add(`{"type":"object","properties":{"a":{"type":["string","integer"],"format":"int64","examples":[1,{"b":null}]},"b":{"type":"string","format":"uuid","description":[]}}}`)
	f.Add(`{"type":"object","properties":{"a":{"oneOf":[{"type":"object","properties":{"b":{"not":{}}}}],"anyOf":1},"t":{"type":"array","prefixItems":[true],"items":[{"minProperties":1}]}}}`)
	f.Add(`{"type":"object","properties":{"a":{"type":"object","properties":{"x":{"$ref":"#/$defs/d"}}},"b":{"$ref":"#/properties/a"},"c":{"$ref":"#/properties/b"},"e":{"$ref":"#/$defs/d/properties/~1"}},"$defs":{"d":{"type":"object","properties":{"/":{"$ref":"#/properties/a/properties"}}}}}`)
	f.Add(`{"type":"object","properties":{"n":{"type":["integer","null"],"minimum":-9007199254740991,"maximum":9007199254740991.0,"not":{"type":"integer","maximum":9007199254740991}}},"required":["n"],"additionalProperties":false}`)
	f.Fuzz(func(t *testing.T, schema string) {
		sent, _, why := claudeOutputSchema([]byte(schema), false)
		if why != "" {
			return
		}
		if problem := claudeSchemaProblem(sent); problem != "" {
			t.Fatalf("%q was sent as %q, which breaks %q", schema, sent, problem)
		}
		if strictSent, _, strictWhy := claudeOutputSchema([]byte(schema), true); strictWhy == "" && string(strictSent) != string(sent) {
			t.Fatalf("%q: sent as %q without strict, %q with", schema, sent, strictSent)
		}
	})
}

// A schema nested as deep as a request's decoder allows, each level open
// and with a constraint, is brought within at every level.
func TestClaudeOutputSchemaWithoutStrictBringsDeepSchemasWithin(t *testing.T) {
	const depth = 4990
	schema := strings.Repeat(`{"type":"object","required":["a"],"properties":{"a":`, depth) + `{"type":"string","maxLength":3}` + strings.Repeat(`}}`, depth)
	sent, _, why := claudeOutputSchema([]byte(schema), false)
	if why != "" {
		t.Fatal(why)
	}
	want := strings.Repeat(`{"type":"object","required":["a"],"properties":{"a":`, depth) + `{"type":"string","description":"{maxLength: 3}"}` +
		strings.Repeat(`},"additionalProperties":false}`, depth)
	if string(sent) != want {
		t.Fatalf("sent %.200q...", sent)
	}
}

// BenchmarkClaudeOutputSchemaWithoutStrictDeep is a schema without strict
// nested as deep as a request's decoder allows, every level to be closed.
func BenchmarkClaudeOutputSchemaWithoutStrictDeep(b *testing.B) {
	schema := []byte(strings.Repeat(`{"type":"object","required":["a"],"properties":{"a":`, 4990) + `{"type":"string","maxLength":3}` + strings.Repeat(`}}`, 4990))
	b.ReportAllocs()
	for b.Loop() {
		claudeOutputSchema(schema, false)
	}
}

// BenchmarkClaudeOutputSchemaWithoutStrictWide is a schema without strict
// whose object names 20,000 properties (about 500 KB; a request may carry
// 20 MB), to be closed.
func BenchmarkClaudeOutputSchemaWithoutStrictWide(b *testing.B) {
	props := make([]string, 20000)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%d":{"type":"string"}`, i)
	}
	schema := []byte(`{"type":"object","required":["p0"],"properties":{` + strings.Join(props, ",") + `}}`)
	b.ReportAllocs()
	for b.Loop() {
		claudeOutputSchema(schema, false)
	}
}

// BenchmarkClaudeOutputSchemaWithoutStrictPointerRefs is a schema without
// strict whose object names 20,000 properties, half of them a $ref to
// another, all required (about 800 KB): each $ref is looked up in the object's index and
// written out, not found by a scan of it.
func BenchmarkClaudeOutputSchemaWithoutStrictPointerRefs(b *testing.B) {
	props, names := make([]string, 20000), make([]string, 20000)
	for i := range props {
		props[i] = fmt.Sprintf(`"p%d":{"type":"string","maxLength":%d}`, i, i)
		if i%2 == 1 {
			props[i] = fmt.Sprintf(`"p%d":{"$ref":"#/properties/p%d"}`, i, i-1)
		}
		names[i] = fmt.Sprintf(`"p%d"`, i)
	}
	schema := []byte(`{"type":"object","properties":{` + strings.Join(props, ",") + `},"required":[` + strings.Join(names, ",") + `]}`)
	if _, _, why := claudeOutputSchema(schema, false); why != "" {
		b.Fatal(why)
	}
	b.ReportAllocs()
	for b.Loop() {
		claudeOutputSchema(schema, false)
	}
}
