package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Unquote must agree with encoding/json on every input: the same string
// where json.Unmarshal takes it, ok false where it refuses it.
func checkUnquote(t *testing.T, raw []byte) {
	var want string
	wantErr := json.Unmarshal(raw, &want)
	got, ok := Unquote(raw)
	if wantErr != nil {
		if ok {
			t.Fatalf("Unquote(%q) = %q, but encoding/json refuses it: %v", raw, got, wantErr)
		}
		return
	}
	if t := trimJSONSpace(raw); len(t) == 0 || t[0] != '"' {
		return // not a string; Unquote is not asked
	}
	if !ok || got != want {
		t.Fatalf("Unquote(%q) = %q, %v; encoding/json gives %q", raw, got, ok, want)
	}
}

func TestUnquoteAgreesWithEncodingJSON(t *testing.T) {
	for _, raw := range []string{
		`""`, `"plain text"`, `"tab\tnew\nline \"q\" back\\slash \/ \b\f\r"`,
		`"\u00e9\u4e2d\uD83D\uDE00"`, `"lone \uD83D high"`, `"lone \uDE00 low"`, `"\uD83D\u0041"`, `"\uD83D\n"`,
		`"\uD83D"`, `"é 中 😀"`, "\"bad \xff utf8 \xe2\x82\"", `"\u00"`, `"\x"`, `"\'"`, "\"ctl \x01\"",
		`"unterminated`, `"a"b"`, `"ends in \"`, `"\uZZZZ"`, `"\uDBFF\uDFFF"`,
		// Plain runs longer than a word, cut by each kind of byte that
		// ends one, at each place in a word.
		`"` + strings.Repeat("abcdefgh", 3) + `"`, `"` + strings.Repeat("abcdefgh", 3) + `\n` + strings.Repeat("ijklmnop", 2) + `"`,
		`"abcdefghijk` + "\x1f" + `mnopqrstu"`, `"abcdefghij"klmnopqrstu"`, `"abcdefghijklm\u00e9nopq"`,
		`"abcdefghijklm` + "\u00e9" + `nopqrstuvwxyz"`, `"abcdefghijklm` + "\xff" + `nopqrstuvwxyz"`, `"abcdefg` + "\x7f" + `hijklmnopqr"`,
	} {
		checkUnquote(t, []byte(raw))
	}
	for cut := range 17 {
		for _, c := range []byte("\"\\\x00\x1f\x7f\x80\xe9\xff ") {
			body := []byte(strings.Repeat("abcdefgh", 2) + `\n` + strings.Repeat("abcdefgh", 2))
			body[cut] = c
			checkUnquote(t, append(append([]byte{'"'}, body...), '"'))
		}
	}
	s, ok := Unquote([]byte(`"a\nb"`))
	assert.True(t, ok)
	assert.Equal(t, "a\nb", s)
}

func FuzzUnquote(f *testing.F) {
	for _, seed := range []string{`"x"`, `"\n\u00e9\uD83D\uDE00"`, "\"\xff\"", `"\uD800\u"`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) == 0 {
			return
		}
		checkUnquote(t, raw)
	})
}

// What decoding a 4 KB text costs: prose without escapes, and a file's
// lines, each ending in an escaped newline.
func BenchmarkUnquote(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"prose", strings.Repeat("The handler reads the body once and the router decides. ", 73)},
		{"code", strings.Repeat("func f() { return 42 } // a line of the file that was read\\n", 70)},
	} {
		raw := []byte(`"` + c.text + `"`)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := Unquote(raw); !ok {
					b.Fatal("a valid string")
				}
			}
		})
	}
}
