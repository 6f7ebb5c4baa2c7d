package openai

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/internal/jsonscan"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// caseVariant skips the fold for most plain ASCII keys; what it finds is
// still what folding the key's text finds, for keys written with escapes
// and for letters outside ASCII that fold to ASCII ones (the Kelvin sign
// to "k", "ſ" to "s").
func TestCaseVariantIsWhatFoldingTheKeysTextFinds(t *testing.T) {
	names := []string{"type", "budget_tokens", "schema"}
	for _, written := range []string{
		`type`, `Type`, `TYPE`, `tYpE`, `types`, `typ`, `Typo`, `kind`, ``, `_ype`,
		`budget_tokens`, `Budget_Tokens`, `budget_to` + "\u212a" + `ens`, `budget_to\u212aens`,
		`Schema`, "\u017fchema", `\u017fchema`, `\u0053chema`, `\u0073chema`, `t\u0079pe`, `T\u0079pe`,
		`\ud800ype`, "\xffype", `schem`, `SCHEMAS`,
	} {
		text, ok := jsonscan.UnquoteKey([]byte(written))
		require.True(t, ok, "%q", written)
		var want string
		for _, n := range names {
			if text != n && bytes.EqualFold([]byte(text), []byte(n)) {
				want = n
				break
			}
		}
		gotText, got, found := caseVariant([]byte(written), names)
		assert.Equal(t, want, got, "%q", written)
		assert.Equal(t, want != "", found, "%q", written)
		if found {
			assert.Equal(t, text, gotText, "%q", written)
		}
	}
}

// A case variant deep in a long conversation is found, and named by its
// index, as one in the first message is.
func TestExactNestedNamesAVariantByItsIndex(t *testing.T) {
	var top map[string]json.RawMessage
	body := upstreamtest.ShortTurnsChat(1000)
	body = body[:len(body)-2] + `,{"role":"user","ROLE":"system","content":"x"}]}`
	require.NoError(t, json.Unmarshal([]byte(body), &top))
	err := exactNested(Chat, top)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"messages[1001].ROLE"`)
	assert.Contains(t, err.Error(), `"messages[1001].role"`)
}

// BenchmarkExactNested is the check on every request's nested objects,
// over long conversations: it should cost no allocation per message.
func BenchmarkExactNested(b *testing.B) {
	for _, bc := range []struct {
		name string
		api  API
		body string
	}{
		{"chat-100k-short", Chat, upstreamtest.ShortTurnsChat(100_000)},
		{"chat-2.7MB", Chat, upstreamtest.AgentChat(600)},
		{"responses-2.7MB", Responses, upstreamtest.AgentResponses(600)},
	} {
		var top map[string]json.RawMessage
		require.NoError(b, json.Unmarshal([]byte(bc.body), &top))
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				if err := exactNested(bc.api, top); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
