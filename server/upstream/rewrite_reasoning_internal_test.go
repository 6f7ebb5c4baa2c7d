package upstream

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

var nonReasoning = router.Model{ID: "mini", Name: "mini", UpstreamModel: "mini", Provider: "openai", Format: "OpenAI"}

// A body without reasoning items keeps input's exact bytes (README: every
// field but the ones named passes byte for byte).
func TestNoReasoningItemsInputUntouched(t *testing.T) {
	input := `[ {"role":"user", "content":"is a<b && c>d? \"reasoning\" "} ]`
	out, err := RewriteOpenAI([]byte(`{"model":"x","input":`+input+`}`), APIResponses, nonReasoning)
	require.NoError(t, err)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, input, string(got["input"]))
}

// When a reasoning item is dropped, the items kept reach the provider
// exactly as the client sent them (not compacted, no \u003c escapes).
func TestDroppingReasoningItemsKeepsOtherItemsBytes(t *testing.T) {
	msg := `{"role":"user", "content":"is a<b && c>d?"}`
	body := `{"model":"x","input":[{"type":"reasoning","id":"rs_1","summary":[]},` + msg + `]}`
	out, err := RewriteOpenAI([]byte(body), APIResponses, nonReasoning)
	require.NoError(t, err)
	var got struct {
		Input []json.RawMessage `json:"input"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	require.Len(t, got.Input, 1, "the reasoning item is dropped")
	assert.Equal(t, msg, string(got.Input[0]), "the kept item's bytes as the client sent them")
}

// Which items are reasoning items is read from each item's own `type`, as
// encoding/json decodes it, whatever the spacing and escapes; every kept
// item reaches the provider with its bytes as sent.
func TestReasoningItemsFoundByTheirOwnType(t *testing.T) {
	const rs = `{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"hm"}]}`
	for _, c := range []struct {
		name, input, want string
	}{
		{"spaces around and inside items",
			"[ \n" + `{ "type" : "reasoning" , "id":"rs_1" }` + " ,\t" + `{"role":"user", "content":"hi"}` + "\r\n]",
			`[{"role":"user", "content":"hi"}]`},
		{"escaped key and type", `[{"typ\u0065":"reason\u0069ng"},` + rs + `,{"type":"message"}]`, `[{"type":"message"}]`},
		{"key in another case, as encoding/json matches it", `[{"Type":"reasoning"},{"TYPE":"message"},` + rs + `]`, `[{"TYPE":"message"}]`},
		{"items without a type of their own",
			`[{"role":"user","content":"reasoning"},{"summary":[{"type":"reasoning"}]},{"a":{"type":"reasoning"}},` + rs + `]`,
			`[{"role":"user","content":"reasoning"},{"summary":[{"type":"reasoning"}]},{"a":{"type":"reasoning"}}]`},
		{"items that are not objects", `["reasoning",null,["reasoning"],5,true,{},` + rs + `]`, `["reasoning",null,["reasoning"],5,true,{}]`},
		{"a type that is not a string keeps the item", `[{"type":1},{"type":"reasoning","type":{}},{"type":["reasoning"]},` + rs + `]`,
			`[{"type":1},{"type":"reasoning","type":{}},{"type":["reasoning"]}]`},
		{"the last type wins, null changes nothing", `[{"type":"reasoning","type":null},{"type":"reasoning","type":"message"},{"type":"message","type":"reasoning"}]`,
			`[{"type":"reasoning","type":"message"}]`},
		{"quotes and braces inside strings", `[{"content":"\"type\":\"reasoning\"} \\","type":"message"},` + rs + `]`,
			`[{"content":"\"type\":\"reasoning\"} \\","type":"message"}]`},
		{"only reasoning items", `[` + rs + `,` + rs + `]`, `[]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := RewriteOpenAI([]byte(`{"model":"x","input":`+c.input+`}`), APIResponses, nonReasoning)
			require.NoError(t, err)
			var got map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(out, &got))
			assert.Equal(t, c.want, string(got["input"]))
		})
	}
}

// FuzzReasoningItemReadAsDecoded: for any JSON item, the filter drops it
// exactly when decoding it into a struct with a `type` string reads
// "reasoning" without error, as it did when every item was decoded.
func FuzzReasoningItemReadAsDecoded(f *testing.F) {
	for _, s := range []string{`{"type":"reasoning"}`, `{"typ\u0065":"reason\u0069ng"}`, `{"Type":"reasoning"}`,
		`{"type":"reasoning","type":null}`, `{"type":"reasoning","type":1}`, `{"TyPe":"message","type":"reasoning"}`,
		`{ "a" : [ {"type":"reasoning"} ] , "type" : "reasoning" }`, `"reasoning"`, `null`, `[{"type":"reasoning"}]`,
		`{"\u0074ype":"reasoning"}`, `{"type":"\u0072easoning\n"}`, `{"ty\"pe":"reasoning"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, item string) {
		item = strings.Trim(item, " \t\r\n")
		if !json.Valid([]byte(item)) {
			return
		}
		var decoded struct {
			Type string `json:"type"`
		}
		want := json.Unmarshal([]byte(item), &decoded) == nil && decoded.Type == "reasoning"
		if got := isReasoningItem([]byte(item)); got != want {
			t.Fatalf("item %s: dropped %v, decoding reads a reasoning item: %v", item, got, want)
		}
	})
}
