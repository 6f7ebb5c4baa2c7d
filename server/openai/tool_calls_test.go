package openai

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// decodedToolCalls is the old reading of a message's tool_calls: a
// json.Unmarshal into the members routing reads.
func decodedToolCalls(raw []byte) ([]toolCall, bool) {
	var calls []struct {
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &calls); err != nil {
		return nil, false
	}
	out := []toolCall{}
	for _, c := range calls {
		out = append(out, toolCall{c.Function.Name, c.Function.Arguments})
	}
	return out, true
}

// foldedName reports whether v holds a key that is a case variant of a
// member readToolCalls reads: exactNested refuses those before.
func foldedName(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			for _, n := range []string{"function", "name", "arguments"} {
				if k != n && strings.EqualFold(k, n) {
					return true
				}
			}
			if foldedName(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if foldedName(e) {
				return true
			}
		}
	}
	return false
}

var toolCallsSeeds = []string{
	`null`, `[]`, `[null]`, `{}`, `"x"`, `[1]`, `[[]]`, `[{}]`,
	`[{"id":"call_1","type":"function","function":{"name":"read","arguments":"{\"path\":\"a.go\"}"}}]`,
	`[{"function":{"name":"a","arguments":"x"}},null,{"function":null}]`,
	`[{"function":{"name":"a","arguments":"x"},"function":{"name":"b"}}]`,
	`[{"function":{"name":"a","arguments":"x"},"function":null}]`,
	`[{"function":{"name":"a","name":null}}]`,
	`[{"function":{"name":1}}]`, `[{"function":{"arguments":{}}}]`, `[{"function":[]}]`, `[{"function":"f"}]`,
	`[{"function":{"n\u0061me":"\u00e9\ud83d\ude00","arguments":"\ud800"}}]`,
	`[{"function":{"name":"a"}}, 2]`, `[{"function":{"name":"a","extra":[1,{"name":2}]}}]`,
	` [ { "function" : { "name" : "a" } } ] `,
}

// TestReadToolCallsIsTheDecode holds readToolCalls to json.Unmarshal on
// every seed and each one-byte change of each.
func TestReadToolCallsIsTheDecode(t *testing.T) {
	for _, s := range toolCallsSeeds {
		for _, in := range oneByteChanges(s) {
			checkToolCalls(t, []byte(in))
		}
	}
}

func FuzzReadToolCalls(f *testing.F) {
	for _, s := range toolCallsSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkToolCalls(t, raw) })
}

// checkToolCalls compares the two readings of raw where Parse would read
// it: a valid UTF-8 JSON value without case variants of the names read.
func checkToolCalls(t *testing.T, raw []byte) {
	var v any
	if json.Unmarshal(raw, &v) != nil || foldedName(v) || !utf8.Valid(raw) {
		return
	}
	want, wantOK := decodedToolCalls(raw)
	got, ok := readToolCalls(raw, make([]toolCall, 3))
	require.Equal(t, wantOK, ok, "%s", raw)
	if ok {
		if v == nil {
			want = []toolCall{}
		}
		require.Equal(t, want, got, "%s", raw)
	}
}

// oneByteChanges is s and s with each byte dropped or replaced by each of
// a few bytes that change JSON's shape.
func oneByteChanges(s string) []string {
	out := []string{s}
	for i := range s {
		out = append(out, s[:i]+s[i+1:])
		for _, c := range `"{}[],:n1 \` {
			out = append(out, s[:i]+string(c)+s[i+1:])
		}
	}
	return out
}
