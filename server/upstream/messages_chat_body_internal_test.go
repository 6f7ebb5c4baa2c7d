package upstream

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// messagesChatCorpus: bodies whose texts are written every way JSON
// allows (escapes encoding/json writes and others, raw and escaped
// non-ASCII, U+2028, invalid UTF-8, long texts past sharedValueSize),
// in each place a text goes (system, user strings and blocks, tool
// results, assistant text, image URLs), the refusals, and the benchmark
// conversations.
func messagesChatCorpus() []string {
	long := strings.Repeat(`é \"<x>\" \n`, sharedValueSize/8)
	texts := []string{``, `plain`, `a\"b\\c\/d`, `\b\f\n\r\t`, `\u0001\u001f\u001F\u0008\u000a`, `\u00e9\u2028\u2029\ud83d\ude00`,
		"raw é \u2028 \u2029 \xff end", `\u007f<&>`, `\uD800`, long, long + `\u0041`}
	var bodies []string
	for _, t := range texts {
		q := `"` + t + `"`
		bodies = append(bodies,
			`{"model":"m","max_tokens":5,"system":`+q+`,"messages":[{"role":"user","content":`+q+`}]}`,
			`{"model":"m","max_tokens":5,"system":[{"type":"text","text":`+q+`},{"type":"text","text":`+q+`}],"messages":[{"role":"user","content":[{"type":"text","text":`+q+`},{"type":"image","source":{"type":"base64","media_type":`+q+`,"data":`+q+`}},{"type":"image","source":{"type":"url","url":`+q+`}}]}]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"text","text":`+q+`},{"type":"thinking","thinking":"x"},{"type":"text","text":`+q+`},{"type":"tool_use","id":`+q+`,"name":`+q+`,"input":{"a":`+q+`}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":`+q+`,"is_error":true,"content":[{"type":"text","text":`+q+`},{"type":"text","text":`+q+`}]},{"type":"tool_result","tool_use_id":"t","content":`+q+`},{"type":"tool_result","tool_use_id":"t"}]}]}`,
			`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"},{"type":"text","text":null}]},{"role":"assistant","content":`+q+`},{"role":"user","content":null}]}`,
		)
	}
	return append(bodies,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":7}}]}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":"x"}]}]}`,
		`{"model":"m","max_tokens":5,"system":[{"type":"image"}],"messages":[{"role":"user","content":"q"}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"x"}]}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","content":[{"type":"image"}]}]}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"q"}]}`,
		`{"model":"m","max_tokens":5,"messages":[{"role":"user","content" : "spaced" , "x":1}],"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool","name":"f"},"metadata":{"user_id":"u"},"stop_sequences":["<s>"],"temperature":0.5}`,
		upstreamtest.AgentMessages(30), upstreamtest.ShortTurnsMessages(200))
}

// assertMessagesToChatIsTheOldEncoding holds the translation to the one
// that decoded every text and encoded the whole body with encoding/json.
func assertMessagesToChatIsTheOldEncoding(t *testing.T, body string, m router.Model) {
	t.Helper()
	want, wantErr := refMessagesToChat([]byte(body), m)
	got, err := MessagesToChat([]byte(body), m)
	if wantErr != nil {
		require.Error(t, err, "body %q", body)
		assert.Equal(t, wantErr.Error(), err.Error())
		return
	}
	require.NoError(t, err, "body %q", body)
	require.Equal(t, string(want), string(got), "body %q, model %s", body, m.Name)
}

func TestMessagesToChatIsTheOldEncoding(t *testing.T) {
	for _, body := range messagesChatCorpus() {
		for _, m := range bodyModels {
			assertMessagesToChatIsTheOldEncoding(t, body, m)
		}
	}
}

// TestMessagesForwardedAreTheOldEncoding: the body sent for a translated
// call, in its pieces, is the old translation rewritten and encoded whole.
func TestMessagesForwardedAreTheOldEncoding(t *testing.T) {
	for _, body := range messagesChatCorpus() {
		for _, stream := range []bool{false, true} {
			for _, m := range bodyModels {
				assertRequestBodyIsTheEncoding(t, body, APIMessages, stream, m, KindOpenAI)
			}
		}
	}
}

func FuzzMessagesToChatIsTheOldEncoding(f *testing.F) {
	for _, body := range messagesChatCorpus()[:40] {
		f.Add(body, uint8(0))
	}
	f.Fuzz(func(t *testing.T, body string, choice uint8) {
		m := bodyModels[int(choice)%len(bodyModels)]
		assertMessagesToChatIsTheOldEncoding(t, body, m)
		assertRequestBodyIsTheEncoding(t, body, APIMessages, choice&4 != 0, m, KindOpenAI)
	})
}

// TestCanonicalStringIsEncodingJSONs: a string is taken as written exactly
// when encoding/json writes its text so.
func TestCanonicalStringIsEncodingJSONs(t *testing.T) {
	for _, s := range []string{`""`, `"a"`, `"\u00e9"`, `"é"`, `"\/"`, `"\u001f"`, `"\u001F"`, `"\u0008"`, `"\b"`, `"\u2028"`, "\"\u2028\"", "\"\xff\"", `"\ud800"`, `"<&>"`, `"\u003c"`} {
		text, ok := stringMember([]byte(s))
		require.True(t, ok, s)
		encoded, err := marshalPlain(text)
		require.NoError(t, err)
		assert.Equal(t, string(encoded) == s, canonicalString([]byte(s)), s)
	}
}

// TestCanonicalStringIsEncodingJSONsForEveryEscapeAndRune: the same, for
// every \u escape (lower and upper case hex, alone and between letters),
// every two-character escape, every byte raw, every rune of the BMP raw (those above sampled), and the
// byte sequences that start or break a multi-byte rune, so that no string
// the client sends is passed through as its own bytes where encoding/json
// would write it otherwise.
func TestCanonicalStringIsEncodingJSONsForEveryEscapeAndRune(t *testing.T) {
	wrong := 0
	check := func(s string) {
		text, ok := stringMember([]byte(s))
		if !ok || wrong > 10 {
			return // not a JSON string; or enough reported
		}
		encoded, err := marshalPlain(text)
		require.NoError(t, err)
		if want := string(encoded) == s; canonicalString([]byte(s)) != want {
			wrong++
			t.Errorf("canonicalString(%q) = %v, but encoding/json writes its text as %q", s, !want, encoded)
		}
	}
	const hex = "0123456789abcdef"
	for r := 0; r < 0x10000; r++ {
		esc := []byte{'\\', 'u', hex[r>>12], hex[r>>8&15], hex[r>>4&15], hex[r&15]}
		check(`"` + string(esc) + `"`)
		check(`"a` + string(esc) + `b"`)
		check(`"\u` + strings.ToUpper(string(esc[2:])) + `"`)
	}
	for c := 0; c < 256; c++ {
		check(`"` + string(rune(c)) + `"`)
		check(`"` + string([]byte{byte(c)}) + `"`)
		check(`"\` + string([]byte{byte(c)}) + `"`)
		for d := 0x80; d < 0x100; d++ {
			for _, e := range []string{"", "\x80", "\xbf", "\xc0", "\x80\x80", "\xbf\xbf"} {
				check(`"` + string([]byte{byte(c), byte(d)}) + e + `"`)
			}
		}
	}
	for r := rune(0x80); r <= 0x10ffff; r++ {
		if r < 0x10000 || r%97 == 0 || r&0xffff >= 0xfffe {
			check(`"` + string(r) + `"`)
		}
	}
}
