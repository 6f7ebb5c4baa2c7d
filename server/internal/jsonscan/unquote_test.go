package jsonscan

import (
	"encoding/json"
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
	} {
		checkUnquote(t, []byte(raw))
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
