package openai

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// cut is the first n bytes of s with no capacity past them, as a body read
// up to the limit is.
func cut(s string, n int) []byte {
	b := []byte(s[:n])
	return b[:n:n]
}

// Every prefix of a body names its model once the model's string is whole
// within it, and nothing before.
func TestModelOfPrefixNamesTheModelOnceItIsWhole(t *testing.T) {
	for _, body := range []string{
		`{"model":"model-router","messages":[{"role":"user","content":"hi \"there\""}]}`,
		` { "max_tokens" : 5 , "stream":true, "metadata":{"model":"not-this"}, "model" : "claude-sonnet" , "messages":[]}`,
		`{"input":[1,2.5e3,null,{"a":["]"]}],"mod\u0065l":"gpt-4o\u002dmini","model":"a-later-one"}`,
	} {
		want := ModelOf([]byte(body))
		if strings.Contains(body, `"a-later-one"`) {
			want = "gpt-4o-mini" // the first: a later one may lie past the limit
		}
		whole := -1 // the shortest prefix holding the model's string
		for n := 0; n <= len(body); n++ {
			got := ModelOfPrefix(cut(body, n))
			if got != "" && whole < 0 {
				whole = n
			}
			if whole >= 0 {
				assert.Equal(t, want, got, "%q", body[:n])
			} else {
				assert.Empty(t, got, "%q", body[:n])
			}
		}
		// The model's string ends with the byte that made it whole.
		if assert.Positive(t, whole, body) {
			assert.Equal(t, byte('"'), body[whole-1], "%q", body[:whole])
		}
	}
}

func TestModelOfPrefixNamesNoModelItCannotRead(t *testing.T) {
	for _, raw := range []string{
		``, `   `, `[{"model":"x"}]`, `"model"`, `{"model":5}`, `{"model":null,"x":1}`, `{"model":["x"]}`,
		`{"metadata":{"model":"x"}}`, `{"a":tru,"model":"x"}`, `{"a":1 "model":"x"}`, `{"a":1,,"model":"x"}`,
		`{"model":"x"garbage`, `{"model":"x` + "\x00" + `"}`, `{"mo` + "\xff" + `del":"x"}`, `{model:"x"}`,
		`{"a":"\q","model":"x"}`, `{"a":["cut short`, `{"a":{"b":"cut short`, "\x00\x01\x02{\"model\":\"x\"}",
		`{"a":"` + strings.Repeat(`\`, 9), `{"a"` + strings.Repeat(`]`, 9) + `,"model":"x"}`,
	} {
		assert.Empty(t, ModelOfPrefix(cut(raw, len(raw))), "%q", raw)
	}
}

// A body at the limit costs its walk one allocation, whatever its size:
// the model's text, or json.Valid's error for the value cut short. No
// member it steps over is copied.
// bigPrefixes are 2 MiB cuts of bodies whose messages fill the limit: one
// names its model within the cut, one only past it.
func bigPrefixes() (before, past []byte) {
	big := strings.Repeat("A", 1<<20)
	before = cut(`{"messages":[{"role":"user","content":[{"type":"text","text":"`+big+`"}]}],"model":"model-router","x":"`+big, 2<<20)
	past = cut(`{"messages":[{"role":"user","content":"`+big+big+`"}],"model":"model-router"}`, 2<<20)
	return before, past
}

func TestModelOfPrefixReadsABigPrefix(t *testing.T) {
	before, past := bigPrefixes()
	assert.Equal(t, "model-router", ModelOfPrefix(before))
	assert.Empty(t, ModelOfPrefix(past))
}

// What a refused oversized body costs to read its model from: expect about
// one allocation (the model's string) and no copy of the messages. Measured
// here, not asserted in a test: the race detector's CI pass counts its own
// allocations.
func BenchmarkModelOfPrefix2MiB(b *testing.B) {
	before, past := bigPrefixes()
	for _, bc := range []struct {
		name string
		body []byte
	}{{"model-within", before}, {"model-past", past}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				ModelOfPrefix(bc.body)
			}
		})
	}
}

func FuzzModelOfPrefix(f *testing.F) {
	for _, seed := range []string{`{"model":"x","messages":[]}`, `{"a":[{"b":"]"}],"model":"y"}`, `{"a":["cut`, `{"m\u006fdel":"z"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got := ModelOfPrefix(raw[:len(raw):len(raw)])
		// What it names, a whole body names too unless the body is broken
		// after the model or names another one later.
		if got != "" && ModelOf(raw) != "" && strings.Count(string(raw), "model") == 1 {
			assert.Equal(t, ModelOf(raw), got, "%q", raw)
		}
	})
}
