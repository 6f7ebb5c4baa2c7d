package upstream

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/openai"
)

// TestDetailsEncodedInPlaceAsBefore checks that the details encoded
// straight into the answer (rewriteAnswer, withMember) give the bytes the
// details encoded on their own and then copied in gave: key order, escapes
// and all; and that details which fail to encode (NaN) leave the answer as
// it was without them, a provider's own model_selection_details included.
func TestDetailsEncodedInPlaceAsBefore(t *testing.T) {
	reason := `quality 0.812 >= threshold 0.790 for "code" <profile> & cheapest`
	candidates := func(n int) []openai.SelectionCandidate {
		cs := make([]openai.SelectionCandidate, n)
		for i := range cs {
			cs[i] = openai.SelectionCandidate{Model: "model-" + string(rune('a'+i)), Profile: "p/" + string(rune('a'+i)),
				PredictedQuality: 0.5 + float64(i)/40, ExpectedCostUSD: 1e-7 * float64(i+1), Rank: i + 1, Reason: reason}
		}
		return cs
	}
	details := map[string]openai.SelectionDetails{
		"one candidate": {Mode: "balanced", ChosenModel: "model-a", AnsweredModel: "model-a", Candidates: candidates(1),
			FallbacksTried: []openai.FallbackTried{}, RouterLatencyMS: 0.25},
		"22 candidates, longer than their size estimate": {Mode: "quality", ChosenModel: "model-b", AnsweredModel: "model-c",
			Candidates: candidates(22), FallbacksTried: []openai.FallbackTried{{Model: "model-b", Status: 503, Error: "upstream \"busy\""}},
			SessionAffinity: true, RouterLatencyMS: 1.5},
		"unicode": {Mode: "cost", ChosenModel: "modèle-ü", AnsweredModel: "modèle-ü", Candidates: []openai.SelectionCandidate{
			{Model: "modèle-ü", Reason: "günstigste \u2028 ✓"}}, FallbacksTried: []openai.FallbackTried{}},
	}
	answers := map[string]string{
		"chat": `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1-mini","choices":[{"index":0,` +
			`"message":{"role":"assistant","content":"Blue."},"finish_reason":"stop"}],"usage":{"prompt_tokens":31,"completion_tokens":19,"total_tokens":50}}`,
		"provider's own details": `{"model_selection_details":{"theirs":true},"choices":[{"message":{"content":"x"}}],"zz":1}`,
		"details alone":          `{"choices":[{"message":{"content":"x"}}]}`,
	}
	a := &attempt{model: router.Model{ID: "model-a", Name: "a"}}
	rewrite := func(raw string, d jsonAppender) []byte {
		obj, err := answerObject(APIChatCompletions, []byte(raw))
		require.NoError(t, err)
		body, _ := a.rewriteAnswer(obj, d)
		return body
	}
	for dName, sd := range details {
		encoded, err := sd.AppendJSON(nil)
		require.NoError(t, err)
		for aName, raw := range answers {
			require.Equal(t, string(rewrite(raw, rawJSON(encoded))), string(rewrite(raw, sd)), "%s, %s: rewriteAnswer", dName, aName)
			require.Contains(t, string(rewrite(raw, sd)), `"model_selection_details":`+string(encoded))
			require.Equal(t, string(withMember([]byte(raw), "model_selection_details", rawJSON(encoded))),
				string(withMember([]byte(raw), "model_selection_details", sd)), "%s, %s: withMember", dName, aName)
		}
	}
	nan := details["one candidate"]
	nan.RouterLatencyMS = math.NaN()
	for aName, raw := range answers {
		require.Equal(t, string(rewrite(raw, nil)), string(rewrite(raw, nan)), "%s: details that fail to encode are left out", aName)
		require.Equal(t, raw, string(withMember([]byte(raw), "model_selection_details", nan)), aName)
	}
	require.Contains(t, string(rewrite(answers["provider's own details"], nan)), `"model_selection_details":{"theirs":true}`)
}
