package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modelOf is what encoding/json reads as raw's model: the last top-level
// "model" member's string, "" for another value; ok false where raw is no
// JSON object.
func modelOf(raw []byte) (model string, ok bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil || top == nil {
		return "", false
	}
	_ = json.Unmarshal(top["model"], &model)
	return model, true
}

// modelMember is one top-level "model" member of a valid object: its text
// and where its value ends.
type modelMember struct {
	text string
	end  int64
}

// modelMembers lists a valid object's top-level "model" members in order.
func modelMembers(t *testing.T, raw []byte) []modelMember {
	dec := json.NewDecoder(bytes.NewReader(raw))
	_, err := dec.Token()
	require.NoError(t, err)
	var out []modelMember
	for dec.More() {
		key, err := dec.Token()
		require.NoError(t, err)
		var v json.RawMessage
		require.NoError(t, dec.Decode(&v))
		if key != "model" {
			continue
		}
		m := modelMember{end: dec.InputOffset()}
		_ = json.Unmarshal(v, &m.text)
		if v[0] != '"' && v[0] != '{' && v[0] != '[' {
			m.end++ // a number or literal is known to end only by the byte after it
		}
		out = append(out, m)
	}
	return out
}

// checkLastString holds LastString to encoding/json on the whole of raw,
// and, where raw is a valid object, on each of its prefixes: a prefix is
// Cut (but for the object itself, less the whitespace after it), never
// Invalid, and names the last model whose value ended within it.
func checkLastString(t *testing.T, raw []byte) {
	got, out, err := LastString(bytes.NewReader(raw), "model", 1024)
	want, isObject := modelOf(raw)
	if !isObject {
		assert.NotEqual(t, Ended, out, "%q is no JSON object", raw)
		if out == Invalid {
			assert.Empty(t, got, "%q", raw)
		}
		return
	}
	require.Equal(t, Ended, out, "%q is an object", raw)
	assert.Equal(t, want, got, "%q: encoding/json's model", raw)
	assert.ErrorIs(t, err, io.EOF)

	if len(raw) > 4<<10 {
		return // each prefix is read again: keep a case quick
	}
	members := modelMembers(t, raw)
	for n := 0; n < len(raw); n++ {
		want := ""
		for _, m := range members {
			if m.end <= int64(n) {
				want = m.text
			}
		}
		got, out, err := LastString(bytes.NewReader(raw[:n]), "model", 1024)
		if json.Valid(raw[:n]) { // the object without the whitespace after it
			require.Equal(t, Ended, out, "%q", raw[:n])
		} else {
			require.Equal(t, Cut, out, "%q", raw[:n])
		}
		assert.Equal(t, want, got, "%q", raw[:n])
		assert.ErrorIs(t, err, io.EOF, "%q", raw[:n])
	}
}

func TestLastStringAgreesWithEncodingJSON(t *testing.T) {
	deep := func(n int) string {
		return `{"a":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `,"model":"x"}`
	}
	for _, raw := range []string{
		`{"model":"model-router","messages":[{"role":"user","content":"hi \"there\""}]}`,
		` { "max_tokens" : 5 , "stream":true, "metadata":{"model":"not-this"}, "model" : "claude-sonnet" , "messages":[]} `,
		`{"input":[1,2.5e3,-0.5E-2,null,false,{"a":["]"]},{}],"mod\u0065l":"gpt-4o\u002dmini","model":"a-later-one"}`,
		`{"model":"first","messages":[],"model":"last"}`, `{"model":"x","model":5}`, `{"model":"x","model":{"a":[]}}`,
		`{"model":"x","model":null,"b":1}`, `{"model":"\ud83d\ude00 \u00e9\n\/"}`, `{}`, `{"a":{}}`, `{"a":[]}`,
		`{"model":[],"model":"y","z":-0}`, `{"Model":"no"}`, deep(10000), deep(10001),
		``, `   `, `[{"model":"x"}]`, `"model"`, `null`, `{"model":"x"}garbage`, `{"model":"x"} {}`,
		`{"a":tru,"model":"x"}`, `{"a":1 "model":"x"}`, `{"a":1,,"model":"x"}`, `{"model":"x` + "\x00" + `"}`,
		`{"mo` + "\xff" + `del":"x"}`, `{model:"x"}`, `{"a":"\q","model":"x"}`, `{"a":01}`, `{"a":1.}`, `{"a":1e}`,
		`{"a":-}`, `{"a":[1,]}`, `{"a":{"b"}}`, `{"a":{"b":1,}}`, `{"a":[}`, `{"a":{]}`, `{"a":"\u12g4"}`,
		`{"a":["cut short`, "\x00\x01\x02{\"model\":\"x\"}", `{"a"` + strings.Repeat(`]`, 9) + `,"model":"x"}`,
	} {
		checkLastString(t, []byte(raw))
	}
}

// A model longer than maxText comes back cut to its first maxText bytes
// as written, never splitting an escape.
func TestLastStringCutsALongValue(t *testing.T) {
	got, out, _ := LastString(strings.NewReader(`{"model":"`+strings.Repeat("ab", 40)+`"}`), "model", 9)
	assert.Equal(t, Ended, out)
	assert.Equal(t, "ababababa", got)
	got, _, _ = LastString(strings.NewReader(`{"model":"abcdefg\u00e9xyz"}`), "model", 9)
	assert.Equal(t, "abcdefg", got, "the escape that does not fit is left out whole")
}

// A reader that fails is a cut body: the model read before it stands and
// the reader's error comes back.
func TestLastStringReportsTheReadersError(t *testing.T) {
	stop := errors.New("bound reached")
	r := io.MultiReader(strings.NewReader(`{"model":"x","messages":[{"content":"`), iotest.ErrReader(stop))
	got, out, err := LastString(r, "model", 64)
	assert.Equal(t, Cut, out)
	assert.Equal(t, "x", got)
	assert.ErrorIs(t, err, stop)
}

func FuzzLastString(f *testing.F) {
	for _, seed := range []string{`{"model":"x","messages":[]}`, `{"a":[{"b":"]"}],"model":"y","model":"z"}`, `{"a":["cut`, `{"m\u006fdel":"z","n":-1.5e+3}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 256 {
			return // each prefix is read again: keep a case quick
		}
		checkLastString(t, raw)
	})
}

// What LastString costs on a 20 MiB body whose messages come before its
// model: a few fixed kilobytes, whatever the body's size.
func BenchmarkLastString20MiB(b *testing.B) {
	body := []byte(`{"messages":[{"role":"user","content":"` + strings.Repeat("A", 20<<20) + `"}],"model":"model-router"}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if got, _, _ := LastString(bytes.NewReader(body), "model", 1024); got != "model-router" {
			b.Fatal(got)
		}
	}
}
