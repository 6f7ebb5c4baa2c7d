package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Zod's safe-integer bounds are left out wherever an integer schema sits
// (a nullable one, an anyOf's branch, a definition), a strict schema with
// them is then one Claude takes, and every other bound stays for the
// check to judge.
func TestClaudeOutputSchemaLeavesOutZodsSafeIntegerBounds(t *testing.T) {
	const safe = `"minimum":-9007199254740991,"maximum":9007199254740991`
	closed := func(p string) string {
		return `{"type":"object","properties":{"p":` + p + `},"required":["p"],"additionalProperties":false}`
	}
	cases := []struct{ name, schema, sent, why string }{
		{"nullable integer and definition",
			`{"type":"object","properties":{"n":{"type":["integer","null"],` + safe + `},"r":{"$ref":"#/$defs/R"}},"required":["n","r"],` +
				`"additionalProperties":false,"$defs":{"R":{"anyOf":[{"type":"integer",` + safe + `,"description":"d"},{"type":"null"}]}}}`,
			`{"type":"object","properties":{"n":{"type":["integer","null"]},"r":{"$ref":"#/$defs/R"}},"required":["n","r"],` +
				`"additionalProperties":false,"$defs":{"R":{"anyOf":[{"type":"integer","description":"d"},{"type":"null"}]}}}`, ""},
		{"array items", closed(`{"type":"array","items":{"type":"integer",` + safe + `}}`), closed(`{"type":"array","items":{"type":"integer"}}`), ""},
		{"a real minimum stays", closed(`{"type":"integer","minimum":0,"maximum":9007199254740991}`), "", `uses "minimum"`},
		{"int32 bounds stay", closed(`{"type":"integer","minimum":-2147483648,"maximum":2147483647}`), "", `uses "maximum"`},
		{"a number's bounds stay", closed(`{"type":"number",` + safe + `}`), "", `uses "maximum"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sent, _, why := claudeOutputSchema([]byte(tc.schema), true)
			if tc.why != "" {
				assert.Contains(t, why, tc.why)
				return
			}
			assert.Empty(t, why)
			assert.Equal(t, tc.sent, string(sent))
		})
	}
	// Without strict, the bounds are not moved into the description either.
	sent, _, why := claudeOutputSchema([]byte(`{"type":"object","properties":{"n":{"type":"integer",`+safe+`}}}`), false)
	assert.Empty(t, why)
	assert.Equal(t, `{"type":"object","properties":{"n":{"type":"integer"}},"additionalProperties":false}`, string(sent))
}

// The bounds are left out only where leaving them out allows more, and
// only integers past JavaScript's safe ones: inside a not (or an if) they
// would forbid (or send elsewhere) what the client allows, and on a schema
// that is also a number they forbid every number past 2^53, a fraction
// too.
func TestClaudeKeepsSafeIntegerBoundsWhereDroppingThemChangesMore(t *testing.T) {
	const safe = `"minimum":-9007199254740991,"maximum":9007199254740991`
	closed := func(p string) string {
		return `{"type":"object","properties":{"p":` + p + `},"required":["p"],"additionalProperties":false}`
	}
	// A number that is not a safe integer: 1.5 or 2^60. Without the bounds
	// Claude would read "not an integer", which forbids 2^60.
	sent, _, why := claudeOutputSchema([]byte(closed(`{"type":"number","not":{"type":"integer",`+safe+`}}`)), false)
	assert.Empty(t, why)
	assert.Equal(t, closed(`{"type":"number","description":"{not: {\"type\":\"integer\",`+
		`\"minimum\":-9007199254740991,\"maximum\":9007199254740991}}"}`), string(sent))

	// An if whose bounds are left out would send 2^60 to then, not else.
	assert.Equal(t, closed(`{"type":"integer","if":{"type":"integer",`+safe+`},"then":{"type":"integer"}}`),
		string(claudeWithoutSafeIntegerBounds([]byte(closed(`{"type":"integer","if":{"type":"integer",`+safe+`},"then":{"type":"integer"}}`)))))

	for _, typ := range []string{`["number","integer"]`, `["integer","number","null"]`} {
		_, _, why := claudeOutputSchema([]byte(closed(`{"type":`+typ+`,`+safe+`}`)), true)
		assert.Contains(t, why, `uses "m`, "%s: a number's bounds are real", typ)
	}
}

// A bound is left out where its JSON number is exactly the safe bound,
// however written, and only there: a float64 reading would also take
// 9007199254740990.9, a bound that forbids 9007199254740991.
func TestClaudeLeavesOutTheSafeIntegerBoundsExactlyAsWritten(t *testing.T) {
	closed := func(p string) string {
		return `{"type":"object","properties":{"p":` + p + `},"required":["p"],"additionalProperties":false}`
	}
	for _, bounds := range []string{
		`"minimum":-9007199254740991.0,"maximum":9007199254740991e0`,
		`"minimum":-9.007199254740991e15,"maximum":9.007199254740991E+15`,
		`"minimum":-90071992547409910e-1,"maximum":0.9007199254740991e16`,
	} {
		assert.Equal(t, closed(`{"type":"integer"}`), string(claudeWithoutSafeIntegerBounds([]byte(closed(`{"type":"integer",`+bounds+`}`)))), bounds)
	}
	for _, near := range []string{
		`"maximum":9007199254740990.9007199254740991`, `"minimum":-9007199254740990.9007199254740991`,
		`"maximum":9007199254740991.4`, `"maximum":9007199254740992`, `"maximum":1e400`,
	} {
		schema := closed(`{"type":"integer",` + near + `}`)
		assert.Equal(t, schema, string(claudeWithoutSafeIntegerBounds([]byte(schema))), near)
	}
}
