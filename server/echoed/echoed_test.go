package echoed

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

const prompt = "Dear Ada,\nthe quarterly \"Falcon\" numbers aren't final: Lovelace's engine\tcounts café tabs in C:\\new\\folder."

// body is prompt as a client sends it: a JSON request body.
func body(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"model": "m", "messages": []map[string]string{{"role": "user", "content": prompt}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pyRepr is s as Python's repr quotes a str holding both quote marks.
func pyRepr(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\t", `\t`)
	return "'" + r.Replace(s) + "'"
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A message quoting the request, however the server escaped the quote,
// keeps its own words and loses the request's.
func TestQuotedRequestTextIsReplaced(t *testing.T) {
	ascii, _ := json.Marshal(prompt) // Go escapes no é: escape it as Python's json.dumps does
	asciiEscaped := strings.ReplaceAll(string(ascii), "é", `\u00e9`)
	for name, quoted := range map[string]string{
		"plain":              prompt,
		"JSON":               jsonString(prompt),
		"JSON, ASCII only":   asciiEscaped,
		"Python repr":        pyRepr(prompt),
		"repr inside JSON":   jsonString(pyRepr(prompt)),
		"upper-cased":        strings.ToUpper(prompt),
		"cut after 60 runes": string([]rune(pyRepr(prompt))[:60]) + "...",
	} {
		t.Run(name, func(t *testing.T) {
			msg := "[{'type': 'string_too_long', 'loc': ('body', 'messages', 0, 'content'), 'msg': 'String should have at most 10 characters', 'input': " + quoted + "}]"
			got := Replace([]string{msg}, body(t))[0]
			assert.Contains(t, got, Marker)
			assert.Contains(t, got, "'type': 'string_too_long'", "the message's own words stay")
			assert.Contains(t, got, "String should have at most 10 characters")
			for _, w := range []string{"Ada", "quarterly", "Falcon", "Lovelace", "café", "caf"} {
				assert.NotContains(t, strings.ToLower(got), strings.ToLower(w), "%s", got)
			}
		})
	}
}

// A message shortened in the middle of a word of the request (the
// gateway cuts a provider's message at 300 characters, adding "...") loses
// that word's start too.
func TestAWordCutAtTheMessagesEndIsReplacedWithTheRunBeforeIt(t *testing.T) {
	quoted := pyRepr(prompt)
	for k := 30; k < len(quoted); k += 7 {
		msg := "HTTP 400: bad input: " + quoted[:k] + cut
		got := Replace([]string{msg}, body(t))[0]
		after := got[strings.LastIndex(got, Marker)+len(Marker):]
		assert.False(t, strings.ContainsFunc(after, func(r rune) bool { return fold(r) >= 0 }), "a word left after the quote: %q", got)
		assert.True(t, strings.HasPrefix(got, "HTTP 400: bad input: '"+Marker), "%q", got)
	}
}

// A message that shares no run of MinWords words with the request comes
// back as it was, and so does one that shares fewer.
func TestMessageWithoutTheRequestsTextIsKept(t *testing.T) {
	req := []byte(`{"messages":[{"role":"user","content":"Summarise the length of these threads, please reduce them."}]}`)
	for _, msg := range []string{
		"This model's maximum context length is 8192 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
		"Rate limit reached for requests",
		"",
	} {
		assert.Equal(t, msg, Replace([]string{msg}, req)[0])
	}
}

// Each message is replaced on its own, from one pass over the request.
func TestSeveralMessages(t *testing.T) {
	req := []byte(`{"input":"one two three four five six seven"}`)
	got := Replace([]string{"bad input: 'two three four five' (too long)", "HTTP 500", "saw: six seven"}, req)
	assert.Equal(t, []string{"bad input: '" + Marker + "' (too long)", "HTTP 500", "saw: six seven"}, got)
}

func BenchmarkReplaceIn20MBRequest(b *testing.B) {
	var sb strings.Builder
	words := strings.Fields("the quick brown fox jumps over a lazy dog while Ada counts café tabs")
	for i := 0; sb.Len() < 20<<20; i++ {
		sb.WriteString(words[i%len(words)])
		sb.WriteByte(' ')
		if i%7 == 0 {
			sb.WriteString(`\n`)
		}
	}
	req := []byte(`{"messages":[{"role":"user","content":"` + sb.String() + `"}]}`)
	msg := []string{"HTTP 400: " + string([]rune(sb.String())[:300]) + "...", "HTTP 400: maximum context length is 8192 tokens, you requested 9000"}
	b.SetBytes(int64(len(req)))
	b.ResetTimer()
	for range b.N {
		Replace(msg, req)
	}
}

// asciiJSON is s as Python's json.dumps writes it: every character past
// ASCII as \uXXXX, one past the BMP as a surrogate pair.
func asciiJSON(s string) string {
	var b strings.Builder
	for _, r := range jsonString(s) {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String()
}

// assertEchoReplaced checks that each message quoting p, as a server may
// quote it, loses every letter of p and keeps its own words, whether the
// request's body escaped p or not.
func assertEchoReplaced(t *testing.T, p string) {
	t.Helper()
	for _, body := range []string{`{"messages":[{"role":"user","content":` + jsonString(p) + `}]}`, `{"messages":[{"role":"user","content":` + asciiJSON(p) + `}]}`} {
		for _, quoted := range []string{"`" + p + "`", pyRepr(p), jsonString(p), asciiJSON(p)} {
			msg := "[{'type': 'string_too_long', 'msg': 'String should have at most 10 characters', 'input': " + quoted + "}]"
			got := Replace([]string{msg}, []byte(body))[0]
			assert.Contains(t, got, "'input': "+quoted[:1]+Marker, "%s in %s", quoted, body)
			assert.Contains(t, got, "String should have at most 10 characters")
			assert.False(t, strings.ContainsFunc(got, func(r rune) bool { return r >= utf8.RuneSelf && unicode.IsLetter(r) }), "%q", got)
		}
	}
}

// A prompt in a script written without spaces (Chinese, Japanese, Thai)
// is one long run of letters: its characters are its words, so an echo of
// it is caught as a quote of words is.
func TestAnEchoInAScriptWrittenWithoutSpacesIsReplaced(t *testing.T) {
	assertEchoReplaced(t, "请帮我写一首关于秋天的诗，要有落叶和月亮。")
	assertEchoReplaced(t, "東京の天気を教えてください。明日は雨ですか")
	assertEchoReplaced(t, "ช่วยเขียนบทกวีเกี่ยวกับฤดูใบไม้ร่วง")
}

// A character past the BMP that JSON escapes as a surrogate pair
// (\ud840\udc00, as Python's json.dumps writes it) is that character, in
// the request or the message, however many backslashes each half has.
func TestASurrogatePairIsTheCharacterItEncodes(t *testing.T) {
	assertEchoReplaced(t, "𠀀𠀁𠀂𠀃𠀄𠀅")
	assertEchoReplaced(t, "𝐀𝐝𝐚 𝐜𝐨𝐮𝐧𝐭𝐬 𝐭𝐡𝐞 𝐜𝐨𝐥𝐮𝐦𝐧𝐬 𝐚𝐠𝐚𝐢𝐧")
	doubled := strings.ReplaceAll(asciiJSON("𝐀𝐝𝐚 𝐜𝐨𝐮𝐧𝐭𝐬 𝐭𝐡𝐞 𝐜𝐨𝐥𝐮𝐦𝐧𝐬"), `\`, `\\`)
	got := Replace([]string{"bad input: " + doubled}, []byte("𝐀𝐝𝐚 𝐜𝐨𝐮𝐧𝐭𝐬 𝐭𝐡𝐞 𝐜𝐨𝐥𝐮𝐦𝐧𝐬"))[0]
	assert.Equal(t, `bad input: "`+Marker+`"`, got)
}
