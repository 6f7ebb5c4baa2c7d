package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func checkValid(t *testing.T, raw []byte) {
	raw = raw[:len(raw):len(raw)] // nothing past the end to read
	require.Equal(t, json.Valid(raw), Valid(raw), "%q", raw)
}

var validSeeds = []string{
	`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi \"there\" \\ \/ \b\f\n\r\t \u00e9\ud83d\ude00"}]}]}`,
	`[1, -0, 0.5, -12.25e+3, 1E-2, 7e9, true, false, null, {}, [], {"a":{"b":[[]]}}, "x"]`,
	` {"a" : 1 , "b":[ 1 , 2 ] } `, "\t\r\n\"s\"\n", `0`, `-1`, `""`, `"abcdefghijklmnopqrstuvwxyz0123456789"`,
}

// Every seed, every prefix of it and every byte of it replaced by a byte
// that matters to the grammar: Valid says what json.Valid says.
func TestValidAgreesWithEncodingJSON(t *testing.T) {
	deep := func(open, close string, n int) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	for _, raw := range []string{
		``, ` `, `{`, `}`, `[`, `]`, `[}`, `{]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`,
		`{a:1}`, `{'a':1}`, `[01]`, `[1.]`, `[.5]`, `[1e]`, `[1e+]`, `[-]`, `[+1]`, `[--1]`, `[1.5.5]`, `[0x10]`,
		`[tru]`, `[truex]`, `[nul]`, `[fals]`, `[True]`, `[NaN]`, `[Infinity]`, `"\q"`, `"\u12g4"`, `"\u123"`, `"\`,
		`"` + "\x00" + `"`, `"` + "\x1f" + `"`, `"` + "\x7f\x80\xff" + `"`, "\xef\xbb\xbf{}", `{} {}`, `{}x`, `1 2`,
		`"unterminated`, `"a\"`, `"aaaaaaa\"aaaaaaaa"`, `"aaaaaaaaaaaaaaaa\\"`, `"` + strings.Repeat("\x7e", 17) + `"`,
		deep("[", "]", 10000), deep("[", "]", 10001), deep(`{"a":`, "}", 10000), deep(`{"a":`, "}", 10001),
		deep("[", "", 5), deep(`[{"a":`, "}]", 3000),
	} {
		checkValid(t, []byte(raw))
	}
	grammar := []byte("\"\\{}[],: \t\n0123456789-+.eEtrufalsn\x00\x1f\x7f\x80\xff/bu")
	for _, seed := range validSeeds {
		for n := range len(seed) {
			checkValid(t, []byte(seed[:n]))
			for _, c := range grammar {
				raw := []byte(seed)
				raw[n] = c
				checkValid(t, raw)
			}
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, seed := range validSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkValid(t, raw) })
}

// What checking a 300 KB agent's body costs, encoding/json's pass against
// Valid's: turns of prose, code with escapes and a base64 signature.
func BenchmarkValid(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"model":"claude-sonnet-4-5","max_tokens":32000,"thinking":{"type":"enabled","budget_tokens":31999},"messages":[`)
	for n := 0; sb.Len() < 300<<10; n++ {
		if n > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"role":"assistant","content":[{"type":"thinking","thinking":"` + strings.Repeat("The test fails because the handler reads the body twice. ", 8) +
			`","signature":"` + strings.Repeat("EqQBCkgIARABGAIiQL2x/+9a", 20) + `"},{"type":"tool_use","id":"toolu_01","name":"Read","input":{"file_path":"/src/main.go","limit":2000}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":"` + strings.Repeat(`func main() {\n\tfmt.Println(\"hello\")\n}\n`, 60) + `"}]}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	for _, c := range []struct {
		name  string
		valid func([]byte) bool
	}{{"encoding-json", json.Valid}, {"jsonscan", Valid}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if !c.valid(body) {
					b.Fatal("the body is valid")
				}
			}
		})
	}
}
