package jsontype

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The name comes from the type encoding/json reports for a value of the
// wrong type, as both callers get it, and is JSON's word, not Go's.
func TestNameWordsTheTypeJSONWanted(t *testing.T) {
	var dst struct {
		Count  *int64            `json:"count"`
		Small  uint8             `json:"small"`
		Temp   float64           `json:"temp"`
		Stream *bool             `json:"stream"`
		Name   string            `json:"name"`
		Stop   []string          `json:"stop"`
		Meta   map[string]string `json:"meta"`
		Format struct{}          `json:"format"`
		Fn     func()            `json:"-"`
	}
	for body, want := range map[string]string{
		`{"count": "5"}`:   "an integer",
		`{"small": 1.5}`:   "an integer",
		`{"temp": "hot"}`:  "a number",
		`{"stream": 1}`:    "true or false",
		`{"name": 3}`:      "a string",
		`{"stop": "x"}`:    "an array",
		`{"meta": []}`:     "an object",
		`{"format": true}`: "an object",
	} {
		var te *json.UnmarshalTypeError
		require.ErrorAs(t, json.Unmarshal([]byte(body), &dst), &te, body)
		assert.Equal(t, want, Name(te.Type), body)
	}
	assert.Equal(t, "an integer", Name(reflect.TypeFor[**int]()), "pointers are named by what they point to")
	assert.Equal(t, "another type", Name(reflect.TypeFor[func()]()))
	assert.Equal(t, "another type", Name(nil))
}

// What encoding/json found is worded with its article; a number out of
// range is quoted as it is.
func TestValueWordsWhatJSONFound(t *testing.T) {
	for v, want := range map[string]string{"string": "a string", "number": "a number", "array": "an array",
		"object": "an object", "number 1e99": "number 1e99"} {
		assert.Equal(t, want, Value(v))
	}
}
