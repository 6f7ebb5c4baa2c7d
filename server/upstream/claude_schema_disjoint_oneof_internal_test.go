package upstream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A oneOf becomes anyOf only where no answer can match two of its
// alternatives: each requires one property, the same in all, held to a
// string of its own.
func TestClaudeSameAnswersWritesOnlyADisjointOneOfAsAnyOf(t *testing.T) {
	alt := func(kind, req string) string {
		return `{"type":"object","properties":{"k":` + kind + `},"required":[` + req + `],"additionalProperties":false}`
	}
	oneOf := func(a, b string) string {
		return `{"type":"object","properties":{"s":{"oneOf":[` + a + `,` + b + `]}}}`
	}
	anyOf := func(a, b string) string {
		return `{"type":"object","properties":{"s":{"anyOf":[` + a + `,` + b + `]}}}`
	}
	for _, c := range []struct{ name, in, want string }{
		{"consts", oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"b"}`, `"k"`)), anyOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"b"}`, `"k"`))},
		{"enums of one", oneOf(alt(`{"enum":["a"]}`, `"k"`), alt(`{"enum":["b"]}`, `"k"`)), anyOf(alt(`{"enum":["a"]}`, `"k"`), alt(`{"enum":["b"]}`, `"k"`))},
		{"the same value", oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"a"}`, `"k"`)), oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"a"}`, `"k"`))},
		{"not required", oneOf(alt(`{"const":"a"}`, ``), alt(`{"const":"b"}`, `"k"`)), oneOf(alt(`{"const":"a"}`, ``), alt(`{"const":"b"}`, `"k"`))},
		{"numbers", oneOf(alt(`{"const":1}`, `"k"`), alt(`{"const":1.0}`, `"k"`)), oneOf(alt(`{"const":1}`, `"k"`), alt(`{"const":1.0}`, `"k"`))},
		{"an enum of two", oneOf(alt(`{"enum":["a","b"]}`, `"k"`), alt(`{"const":"b"}`, `"k"`)), oneOf(alt(`{"enum":["a","b"]}`, `"k"`), alt(`{"const":"b"}`, `"k"`))},
		{"with Zod's safe integer bounds beside it",
			`{"type":"object","properties":{"n":{"type":"integer","minimum":-9007199254740991,"maximum":9007199254740991},"s":{"oneOf":[` + alt(`{"const":"a"}`, `"k"`) + `,` + alt(`{"const":"b"}`, `"k"`) + `]}}}`,
			`{"type":"object","properties":{"n":{"type":"integer"},"s":{"anyOf":[` + alt(`{"const":"a"}`, `"k"`) + `,` + alt(`{"const":"b"}`, `"k"`) + `]}}}`},
		// A string matches both alternatives: what they require of a
		// property holds only an object.
		{"alternatives that also allow a string", strings.ReplaceAll(oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"b"}`, `"k"`)), `"type":"object","properties":{"k"`, `"type":["object","string"],"properties":{"k"`),
			strings.ReplaceAll(oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"b"}`, `"k"`)), `"type":"object","properties":{"k"`, `"type":["object","string"],"properties":{"k"`)},
		{"a value, not a schema", `{"type":"object","default":` + oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"b"}`, `"k"`)) + `}`,
			`{"type":"object","default":` + oneOf(alt(`{"const":"a"}`, `"k"`), alt(`{"const":"b"}`, `"k"`)) + `}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			assert.JSONEq(t, c.want, string(claudeSameAnswers([]byte(c.in))))
		})
	}
}
