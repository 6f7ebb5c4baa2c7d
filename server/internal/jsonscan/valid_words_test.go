package jsonscan

import (
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// wordBytes are the bytes that end a string's plain run, or look as if
// they might to a word-at-a-time test (0x7f, 0x80 and 0xff sit next to
// the masks' edges), and one that does not.
var wordBytes = []byte("\"\\\x00\x01\x1f\x20\x21\x7f\x80\x9f\xc3\xff\x5b\x5d/a")

// A string of each length from 0 to 17, after prefixes that move it to
// each place in a word, with each of wordBytes at each of its places,
// closed and cut off at the buffer's end: Valid and Unquote say what
// encoding/json says.
func TestValidAndUnquoteAtEveryPlaceInAWord(t *testing.T) {
	for pad := range 8 {
		for _, wrap := range []struct{ open, close string }{
			{strings.Repeat(" ", pad), ""},
			{"[" + strings.Repeat(" ", pad), "]"},
			{`{"` + strings.Repeat("k", pad) + `":`, "}"},
			{`{"` + strings.Repeat("k", pad) + `":`, `,"b":1}`},
		} {
			for n := range 18 {
				for k := range n {
					for _, c := range wordBytes {
						body := []byte(strings.Repeat("abcdefghijklmnopqr", 2)[:n])
						body[k] = c
						str := `"` + string(body) + `"`
						for _, raw := range []string{
							wrap.open + str + wrap.close,
							wrap.open + str,                      // the string ends the buffer
							wrap.open + str[:len(str)-1],         // cut before its closing quote
							wrap.open + `"` + string(body[:k+1]), // cut right after the byte
						} {
							checkValid(t, []byte(raw))
						}
						checkUnquote(t, []byte(str))
						checkUnquote(t, []byte(str[:len(str)-1]+`\n"`))
						checkUnquote(t, []byte(`"\u00e9`+str[1:]))
					}
				}
				checkValid(t, []byte(wrap.open+`"`+strings.Repeat("x", n)+`"`+wrap.close))
			}
		}
	}
}

// Whitespace is space, tab, newline and carriage return only; numbers,
// literals cut short and nesting at the limit in each kind of bracket.
func TestValidEdges(t *testing.T) {
	deepMixed := func(n int) string {
		var open, close strings.Builder
		for i := range n {
			if i%2 == 0 {
				open.WriteString(`[`)
			} else {
				open.WriteString(`{"k":`)
			}
		}
		for i := n - 1; i >= 0; i-- {
			if i%2 == 0 {
				close.WriteString(`]`)
			} else {
				close.WriteString(`}`)
			}
		}
		return open.String() + "0" + close.String()
	}
	for _, raw := range []string{
		"\f{}", "{}\f", "{\v}", "[1,\v2]", "\t\n\r {\t\n\r \"a\"\t\n\r :\t\n\r 1\t\n\r }\t\n\r ", "\u00a0{}", "{}\x00",
		`-`, `-0`, `01`, `-01`, `1.`, `.5`, `1e`, `1e+`, `1E-0`, `1e-`, `0.0e0`, `-0.0E+00`, `1.e5`, `1e5.3`, `[1-2]`, `[0-]`,
		`2e308`, `123456789012345678901234567890`, `[-0,0,-1.5e-7]`,
		`tru`, `nul`, `fals`, `t`, `n`, `f`, `[tru`, `[nul]`, `{"a":fals}`, `truefalse`, `[true false]`, `[truefalse]`,
		`{"a":1}}`, `[[]]]`, `{"a":[}`, `[{]`, `{"a":{"b":1}`, `{"a"::1}`, `{"a":1,,"b":2}`, `[1,,2]`, `{1:2}`, `{"a":1:2}`,
		deepMixed(10000), deepMixed(10001), deepMixed(9999),
		strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 9999), strings.Repeat(`[`, 10000) + `1` + strings.Repeat(`]`, 10000),
		strings.Repeat(`{"a":`, 9999) + `[]` + strings.Repeat(`}`, 9999), strings.Repeat(`{"a":`, 9999) + `[[]]` + strings.Repeat(`}`, 9999),
		strings.Repeat(`{"a":`, 9999) + `{}` + strings.Repeat(`}`, 9999), strings.Repeat(`{"a":`, 10000) + `{}` + strings.Repeat(`}`, 10000),
		// Depth falls and rises again: the limit is on open brackets at once.
		strings.Repeat(`[[]`, 9999) + strings.Repeat(`]`, 9999), strings.Repeat(`[`, 9999) + `[],[],{}` + strings.Repeat(`]`, 9999),
		strings.Repeat(`[`, 9999) + `[],[[]]` + strings.Repeat(`]`, 9999),
	} {
		checkValid(t, []byte(raw))
	}
}

// Agents' bodies cut to a few KB, nesting near the limit and long strings
// with an escape at each place in a word seed FuzzValidAgainstBodies.
func FuzzValidAgainstBodies(f *testing.F) {
	for _, body := range []string{upstreamtest.AgentChat(2), upstreamtest.AgentMessages(2), upstreamtest.ClaudeCodeThinking(2)} {
		f.Add([]byte(body[:min(len(body), 3000)]))
		f.Add([]byte(body[:min(len(body), 3000)] + `"}]}]}`))
	}
	for k := range 16 {
		f.Add([]byte(`{"a":"` + strings.Repeat("x", k) + `\u00e9` + strings.Repeat("y", 16-k) + `\"` + "\xff\x7f" + `"}`))
	}
	f.Add([]byte(strings.Repeat(`[{"a":`, 5000) + strings.Repeat(`}]`, 5000)))
	f.Add([]byte(strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000)))
	f.Add([]byte(`[-0.5e+10,1E-0,true,false,null,{"":[]}," \t"]`))
	f.Fuzz(func(t *testing.T, raw []byte) { checkValid(t, raw) })
}
