package openai

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
)

// errCut stands for the gateway's bound on how far it reads a refused
// body: the body goes on past it.
var errCut = errors.New("read no further")

// cutAt reads the first n bytes of s, then fails as a read ended at its
// bound does.
func cutAt(s string, n int) io.Reader {
	return io.MultiReader(strings.NewReader(s[:n]), iotest.ErrReader(errCut))
}

// Every cut of a body names the last model whose string is whole within
// it, and the whole body names the model ModelOf reads, the last one.
func TestModelOfCutNamesTheLastModelOnceItIsWhole(t *testing.T) {
	for _, tc := range []struct{ body, first, last string }{
		{`{"model":"model-router","messages":[{"role":"user","content":"hi \"there\""}]}`, "model-router", "model-router"},
		{` { "max_tokens" : 5 , "stream":true, "metadata":{"model":"not-this"}, "model" : "claude-sonnet" , "messages":[]}`, "claude-sonnet", "claude-sonnet"},
		{`{"input":[1,2.5e3,null,{"a":["]"]}],"mod\u0065l":"gpt-4o\u002dmini","model":"a-later-one"}`, "gpt-4o-mini", "a-later-one"},
	} {
		assert.Equal(t, ModelOf([]byte(tc.body)), tc.last, tc.body)
		assert.Equal(t, tc.last, ModelOfCut(strings.NewReader(tc.body)), "the whole body: %s", tc.body)
		firstAt := strings.Index(tc.body, `"`+tc.first+`"`) + len(tc.first) + 2
		if tc.first != tc.last {
			firstAt = strings.Index(tc.body, `"gpt-4o\u002dmini"`) + len(`"gpt-4o\u002dmini"`)
		}
		lastAt := strings.LastIndex(tc.body, `"`+tc.last+`"`) + len(tc.last) + 2
		for n := 0; n <= len(tc.body); n++ {
			got := ModelOfCut(cutAt(tc.body, n))
			switch {
			case n >= lastAt:
				assert.Equal(t, tc.last, got, "%q", tc.body[:n])
			case n >= firstAt:
				assert.Equal(t, tc.first, got, "%q", tc.body[:n])
			default:
				assert.Empty(t, got, "%q", tc.body[:n])
			}
		}
	}
}

func TestModelOfCutNamesNoModelItCannotRead(t *testing.T) {
	for _, raw := range []string{
		``, `   `, `[{"model":"x"}]`, `"model"`, `{"model":5}`, `{"model":null,"x":1}`, `{"model":["x"]}`,
		`{"metadata":{"model":"x"}}`, `{"a":tru,"model":"x"}`, `{"a":1 "model":"x"}`, `{"a":1,,"model":"x"}`,
		`{"model":"x"garbage`, `{"model":"x` + "\x00" + `"}`, `{"mo` + "\xff" + `del":"x"}`, `{model:"x"}`,
		`{"a":"\q","model":"x"}`, `{"a":["cut short`, `{"a":{"b":"cut short`, "\x00\x01\x02{\"model\":\"x\"}",
		`{"a":"` + strings.Repeat(`\`, 9), `{"a"` + strings.Repeat(`]`, 9) + `,"model":"x"}`,
		`{"model":"x","model":5}`, `{"model":"x"} trailing`,
	} {
		assert.Empty(t, ModelOfCut(cutAt(raw, len(raw))), "cut: %q", raw)
		assert.Empty(t, ModelOfCut(strings.NewReader(raw)), "whole: %q", raw)
	}
	// A body that ended inside its object is no JSON, whatever it named.
	assert.Equal(t, "x", ModelOfCut(cutAt(`{"model":"x","messages":[`, 25)))
	assert.Empty(t, ModelOfCut(strings.NewReader(`{"model":"x","messages":[`)))
}

// bigBodies are bodies whose messages fill 2 MiB: one names its model
// before the first MiB ends, one after the messages.
func bigBodies() (before, after string) {
	big := strings.Repeat("A", 1<<20)
	before = `{"messages":[{"role":"user","content":[{"type":"text","text":"` + big + `"}]}],"model":"model-router","x":"` + big + `"}`
	after = `{"messages":[{"role":"user","content":"` + big + big + `"}],"model":"model-router"}`
	return before, after
}

// A model past what was read is named once the read goes that far.
func TestModelOfCutReadsAsFarAsItIsLet(t *testing.T) {
	before, after := bigBodies()
	assert.Equal(t, "model-router", ModelOfCut(cutAt(before, 1<<20+100)))
	assert.Empty(t, ModelOfCut(cutAt(after, 2<<20)))
	assert.Equal(t, "model-router", ModelOfCut(cutAt(after, len(after))))
}

// What a refused oversized body costs to read its model from: a few
// kilobytes, whatever its size, and no copy of the messages. Measured
// here, not asserted in a test: the race detector's CI pass counts its own
// allocations.
func BenchmarkModelOfCut2MiB(b *testing.B) {
	before, after := bigBodies()
	for _, bc := range []struct {
		name string
		body []byte
	}{{"model-before", []byte(before)}, {"model-after", []byte(after)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				ModelOfCut(bytes.NewReader(bc.body))
			}
		})
	}
}

// A whole body names what ModelOf does (a model longer than ModelOfCut
// keeps, its first part), and a cut of it names nothing the whole body
// refuses as no JSON before the cut.
func FuzzModelOfCut(f *testing.F) {
	for _, seed := range []string{`{"model":"x","messages":[]}`, `{"a":[{"b":"]"}],"model":"y","model":"z"}`, `{"a":["cut`, `{"m\u006fdel":"z"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, want := ModelOfCut(bytes.NewReader(raw)), ModelOf(raw)
		if len(want) < 170 {
			assert.Equal(t, want, got, "%q", raw)
		} else {
			assert.True(t, strings.HasPrefix(want, strings.TrimSuffix(got, "\uFFFD")), "%q", raw)
		}
	})
}
