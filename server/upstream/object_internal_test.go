package upstream

import (
	"encoding/json"

	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// objectCorpus holds bodies the scanner must read exactly as
// encoding/json's map does: whitespace, duplicates, escapes in keys and
// values, nesting, every kind of literal.
var objectCorpus = []string{
	`{}`,
	` { } `,
	`{"model":"m","messages":[{"role":"user","content":"hi"}]}`,
	"{\n  \"b\" : 1 ,\n\t\"a\":\r\n[ 1, 2 ,{\"x\":\"}\"}] }\n",
	`{"a":1,"a":2,"b":{"a":3}}`,
	`{"z":true,"y":false,"x":null,"w":-1.5e-7,"v":0,"u":"\"quoted\" \\ back"}`,
	`{"k\"ey":1,"plain":2}`,
	`{"\u006dodel":"escaped key","model":"plain"}`,
	`{"a<b":1,"a&b":2,"é":3,"\u2028":4}`,
	`{"s":"<html> & \u2028 é","n":[[[]]],"o":{"p":{"q":{}}}}`,
	`{"last":"value"}   `,
	`{"num":12345678901234567890,"neg":-0,"exp":1E+2}`,
	`{"a":"}","b":"]","c":",","d":"\\","e":"\\\""}`,
	`{"` + strings.Repeat("k", 3) + `":[` + strings.Repeat(`{"x":1},`, 50) + `{"x":2}]}`,
	manyMembers(100),
}

// objectRejects are not JSON objects: both readers must refuse them.
var objectRejects = []string{``, `null`, `[]`, `"s"`, `1`, `{`, `{"a":}`, `{"a":1,}`, `{"a":1}x`, `{a:1}`, `{"a" 1}`}

func manyMembers(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `":` + string(rune('0'+i%10)))
	}
	b.WriteString("}")
	return b.String()
}

func TestScanObjectEncodesLikeTheMap(t *testing.T) {
	for _, body := range objectCorpus {
		t.Run(body[:min(len(body), 30)], func(t *testing.T) {
			want := mapEncoding(t, []byte(body))
			obj, err := scanObject([]byte(body))
			require.NoError(t, err)
			assert.Equal(t, want, string(obj.encode()))
		})
	}
}

func TestScanObjectRejectsWhatTheMapRejects(t *testing.T) {
	for _, body := range objectRejects {
		t.Run(body, func(t *testing.T) {
			_, mapErr := parseObject([]byte(body))
			require.Error(t, mapErr)
			_, err := scanObject([]byte(body))
			assert.Equal(t, mapErr, err)
		})
	}
}

func TestObjectEditsLikeTheMap(t *testing.T) {
	body := []byte(`{"model":"router","max_tokens":5,"routing_config":{"mode":"cost"},"temperature":0.2}`)
	obj, err := scanObject(body)
	require.NoError(t, err)
	m, err := parseObject(body)
	require.NoError(t, err)

	obj.del("routing_config")
	delete(m, "routing_config")
	obj.setString("model", []byte(`"gpt"`))
	m["model"] = []byte(`"gpt"`)
	obj.setString("max_completion_tokens", obj.get("max_tokens"))
	m["max_completion_tokens"] = m["max_tokens"]
	obj.del("max_tokens")
	delete(m, "max_tokens")
	obj.del("absent")

	assert.Equal(t, string(encodeObject(m)), string(obj.encode()))
	assert.Equal(t, `{"max_completion_tokens":5,"model":"gpt","temperature":0.2}`, string(obj.encode()))
	assert.Nil(t, obj.get("max_tokens"))
	assert.False(t, obj.has("routing_config"))
}

// FuzzScanObject checks the scanner against encoding/json on any body.
func FuzzScanObject(f *testing.F) {
	for _, s := range append(objectCorpus, objectRejects...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		m, mapErr := parseObject([]byte(body))
		obj, err := scanObject([]byte(body))
		if mapErr != nil {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		assert.Equal(t, string(encodeObject(m)), string(obj.encode()))
	})
}

func mapEncoding(t *testing.T, body []byte) string {
	t.Helper()
	m, err := parseObject(body)
	require.NoError(t, err)
	return string(encodeObject(m))
}

func TestWithMember(t *testing.T) {
	d := rawJSON(`{"mode":"cost", "n": [1, 2]}`)
	assert.Equal(t, `{"a":1,"model_selection_details":{"mode":"cost", "n": [1, 2]}}`, string(withMember([]byte(`{"a":1}`), "model_selection_details", d)),
		"the value's bytes go in as they are")
	assert.Equal(t, `{"k":{"mode":"cost", "n": [1, 2]}}`, string(withMember([]byte(`{}`), "k", d)))
	assert.Equal(t, `{"a":1}`, string(withMember([]byte(`{"a":1}`), "k", nil)), "no details, nothing added")
	var v map[string]any
	require.NoError(t, json.Unmarshal(withMember([]byte(`{"a":"}"}`), "k", d), &v))
}
