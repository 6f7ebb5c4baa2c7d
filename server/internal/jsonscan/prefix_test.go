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
// make one JSON object; a valid object goes out whole, byte for byte (less
// whitespace after it), with no closers; what went out is always the start of what came in, and never
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
		if sent != "" {
			// A client may read the input at any delta, and a stream may
			// end at any one: the closers end it there too.
			require.True(t, json.Valid([]byte(sent+p.Closers())), "%q + %q from %q", sent, p.Closers(), raw)
		}
	}
	require.True(t, strings.HasPrefix(string(raw), sent), "%q went out of %q", sent, raw)
	var whole ObjectPrefix
	require.Equal(t, whole.Write(string(raw)), sent, "what goes out does not depend on the fragments")
	require.Equal(t, whole.Closers(), p.Closers())
	var obj map[string]any
	if json.Unmarshal(raw, &obj) == nil && obj != nil {
		require.Equal(t, strings.TrimRight(string(raw), " \t\r\n"), sent, "a valid object goes out as written, less whitespace after it")
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
		{"whitespace before and inside passes, after it is held", []string{" \n{ ", `"a" : [ 1 , 2 ] `, "}\n", " "},
			[]string{" \n{ ", `"a" : [ 1 , 2 ] `, "}", ""}, ""},
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

// benchArguments is a 50 KB write_file call: code with the escapes JSON
// needs (dense: every few bytes; code: a newline or quote now and then).
func benchArguments(dense bool) string {
	line := `\tif err := run(ctx, \"x\"); err != nil {\n\t\treturn fmt.Errorf(\"run: %w\", err)\n\t}\n`
	if dense {
		line = `line \"quoted\" caf\u00e9 café smile \ud83d\ude00 raw 😀 tab\t back\\slash\n`
	}
	var b strings.Builder
	b.WriteString(`{"path":"/src/main.go","content":"`)
	for b.Len() < 50_000 {
		b.WriteString(line)
	}
	b.WriteString(`","mode":420,"flags":[true,null,-1.5e3],"meta":{}}`)
	if !json.Valid([]byte(b.String())) {
		panic("benchArguments: not JSON")
	}
	return b.String()
}

// fragmentsOf cuts s into pieces of n bytes, each ending where a UTF-8
// character does, as a server's deltas do.
func fragmentsOf(s string, n int) []string {
	var out []string
	for len(s) > 0 {
		k := min(n, len(s))
		for k < len(s) && !utf8.RuneStart(s[k]) {
			k++
		}
		out, s = append(out, s[:k]), s[k:]
	}
	return out
}

// BenchmarkObjectPrefix writes a 50 KB argument in 16-byte fragments;
// copy is what passing them on unchecked costs.
func BenchmarkObjectPrefix(b *testing.B) {
	for _, c := range []struct {
		name  string
		dense bool
	}{{"code", false}, {"dense escapes", true}} {
		args := benchArguments(c.dense)
		fragments := fragmentsOf(args, 16)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(args)))
			b.ReportAllocs()
			for b.Loop() {
				var p ObjectPrefix
				for _, f := range fragments {
					p.Write(f)
				}
			}
		})
		b.Run(c.name+"/copy", func(b *testing.B) {
			b.SetBytes(int64(len(args)))
			b.ReportAllocs()
			var sent []byte
			for b.Loop() {
				sent = sent[:0]
				for _, f := range fragments {
					sent = append(sent, f...)
				}
			}
		})
	}
}
