package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// splitAt cuts raw into fragments at the offsets cuts names (each taken
// modulo the length left, so any bytes make a split).
func splitAt(raw []byte, cuts []byte) []string {
	var parts []string
	rest := string(raw)
	for _, c := range cuts {
		if len(rest) == 0 {
			break
		}
		n := int(c) % (len(rest) + 1)
		parts, rest = append(parts, rest[:n]), rest[n:]
	}
	return append(parts, rest)
}

// checkPrefix writes raw to an ObjectPrefix in the fragments cuts makes and
// checks what a client would join: the bytes passed on and the closers
// make one JSON object; a valid object goes out whole, byte for byte, with
// no closers; what went out is always the start of what came in, and never
// splits a UTF-8 character the input has whole.
func checkPrefix(t *testing.T, raw, cuts []byte) {
	t.Helper()
	var p ObjectPrefix
	sent := ""
	for _, frag := range splitAt(raw, cuts) {
		out := p.Write(frag)
		if utf8.Valid(raw) {
			require.True(t, utf8.ValidString(out), "%q passed on from %q", out, raw)
		}
		sent += out
	}
	require.True(t, strings.HasPrefix(string(raw), sent), "%q went out of %q", sent, raw)
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		require.Equal(t, string(raw), sent, "a valid object goes out as written")
		require.Empty(t, p.Closers())
		return
	}
	if sent == "" {
		require.Empty(t, p.Closers())
		return
	}
	joined := sent + p.Closers()
	require.True(t, json.Valid([]byte(joined)), "%q + %q from %q", sent, p.Closers(), raw)
	require.NoError(t, json.Unmarshal([]byte(joined), &obj), "%q from %q", joined, raw)
	require.NotNil(t, obj, "%q is an object", joined)
}

func TestObjectPrefix(t *testing.T) {
	for _, c := range []struct {
		name      string
		fragments []string
		// sends is what each Write passes on; closers what ends it.
		sends   []string
		closers string
	}{
		{"a string value streams as it comes", []string{`{"path":"a.go","content":"package `, `main\n`, `func`, ` main() {}\n"}`},
			[]string{`{"path":"a.go","content":"package `, `main\n`, `func`, ` main() {}\n"}`}, ""},
		{"a key waits for its value", []string{`{"ci`, `ty"`, `:`, ` "Pa`, `ris"}`},
			[]string{`{`, ``, ``, `"city": "Pa`, `ris"}`}, ""},
		{"a comma waits for the next key", []string{`{"a":1,`, `"b":2}`},
			[]string{`{"a":1`, `,"b":2}`}, ""},
		{"half a number or literal waits", []string{`{"n":-`, `1.`, `5e`, `+3,"t":tr`, `ue}`},
			[]string{`{`, `"n":-1`, `.5`, `e+3`, `,"t":true}`}, ""},
		{"half an escape waits", []string{`{"s":"a\`, `u00`, `e9b"}`},
			[]string{`{"s":"a`, ``, `\u00e9b"}`}, ""},
		{"half a UTF-8 character waits", []string{"{\"s\":\"caf\xc3", "\xa9\"}"},
			[]string{`{"s":"caf`, "é\"}"}, ""},
		{"nested containers close in order", []string{`{"a":[{"b":["x`, `"]}]}`},
			[]string{`{"a":[{"b":["x`, `"]}]}`}, ""},
		{"whitespace before and after passes", []string{" \n{ ", `"a" : [ 1 , 2 ] `, "}\n"},
			[]string{" \n{ ", `"a" : [ 1 , 2 ] `, "}\n"}, ""},
		{"cut short inside a string", []string{`{"city":"Par`},
			[]string{`{"city":"Par`}, `"}`},
		{"cut short after a comma", []string{`{"a":[1,`},
			[]string{`{"a":[1`}, `]}`},
		{"a brace too many", []string{`{"city":"Par`, `is"}}`},
			[]string{`{"city":"Par`, `is"}`}, ""},
		{"two objects run together", []string{`{"a":1}{"a":2}`},
			[]string{`{"a":1}`}, ""},
		{"an unquoted value", []string{`{"city":"Paris", unit: c}`},
			[]string{`{"city":"Paris"`}, "}"},
		{"a closer that does not match", []string{`{"a":[1}`},
			[]string{`{"a":[1`}, "]}"},
		{"a leading zero", []string{`{"a":01}`},
			[]string{`{"a":0`}, "}"},
		{"a control character in a string", []string{"{\"a\":\"x\ny\"}"},
			[]string{`{"a":"x`}, `"}`},
		{"not an object", []string{`["a"]`},
			[]string{``}, ""},
		{"nothing", []string{``},
			[]string{``}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var p ObjectPrefix
			var sends []string
			for _, f := range c.fragments {
				sends = append(sends, p.Write(f))
			}
			assert.Equal(t, c.sends, sends)
			assert.Equal(t, c.closers, p.Closers())
			checkPrefix(t, []byte(strings.Join(c.fragments, "")), nil)
		})
	}
}

// Nesting past encoding/json's limit stops what goes out where the limit
// is reached: the rest is no JSON to encoding/json.
func TestObjectPrefixNestingLimit(t *testing.T) {
	raw := []byte(`{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + "}")
	checkPrefix(t, raw, nil)
	var p ObjectPrefix
	sent := p.Write(string(raw))
	assert.Len(t, sent, len(`{"a":`)+maxDepth-1)
}

func FuzzObjectPrefix(f *testing.F) {
	for _, seed := range []string{`{"a":"b"}`, `{"a":[1,-2.5e+3,true,null,{"b":"\u00e9\n"}]}`, `{"city":"Paris"}}`,
		`{"a":1}{"b":2}`, `{"a":"x", b: c}`, " {\"s\":\"caf\u00e9 \U0001F600\"} ", `{"a":0`, `[1]`} {
		f.Add([]byte(seed), []byte{3, 7, 1, 12})
	}
	f.Fuzz(func(t *testing.T, raw, cuts []byte) { checkPrefix(t, raw, cuts) })
}
