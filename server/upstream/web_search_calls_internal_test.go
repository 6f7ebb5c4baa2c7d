package upstream

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Only output items of type web_search_call are searches: an answer that
// writes the words, or a function its client named so, ran none.
func TestWebSearchCallsCountsOnlyTheSearchItems(t *testing.T) {
	output := `[{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"q"}},
		{"type":"function_call","name":"web_search_call","arguments":"{\"type\":\"web_search_call\"}"},
		{"type":"message","content":[{"type":"output_text","text":"\"web_search_call\""}]},
		{"id":"ws_2","type" : "web_search_call","status":"failed"}]`
	assert.Equal(t, 2, webSearchCalls([]byte(output)))
	assert.Zero(t, webSearchCalls([]byte(`[{"type":"message","content":[]}]`)))
	assert.Zero(t, webSearchCalls(nil), "a Chat Completions answer has no output")
	assert.Zero(t, webSearchCalls([]byte(`[{"type":"web_search_call"`)), "a cut array counts nothing")
}

// A member's key may be written with escapes, and of duplicate members
// the last counts, as encoding/json reads them.
func TestWebSearchCallsReadsTheTypeAsJSONDoes(t *testing.T) {
	assert.Equal(t, 1, webSearchCalls([]byte(`[{"t\u0079pe":"web_search_call"}]`)))
	assert.Equal(t, 1, webSearchCalls([]byte(`[{"type":"message","type":"web_search_call"}]`)))
	assert.Zero(t, webSearchCalls([]byte(`[{"type":"web_search_call","type":"message"}]`)))
	assert.Zero(t, webSearchCalls([]byte(`[{"type":"web_search_call",}]`)), "a malformed item counts nothing")
}

// An answer's searches are web_search_preview's when the tools it echoes
// from its call offer that tool, dated or not, and no web_search: the
// search items do not say which tool ran them.
func TestSearchedByPreviewReadsTheToolsTheAnswerWasOffered(t *testing.T) {
	for _, tt := range []struct {
		tools string
		want  bool
	}{
		{`[{"type":"web_search_preview","search_context_size":"medium"}]`, true},
		{`[{"type":"function","name":"lookup"},{"type":"web_search_preview_2025_03_11"}]`, true},
		{`[{"type":"web_search"}]`, false},
		{`[{"type":"web_search_2025_08_26"}]`, false},
		{`[{"type":"web_search_preview"},{"type":"web_search"}]`, false},
		{`[]`, false},
		{``, false},
		{`[{"type":"web_search_preview"}`, false},
	} {
		assert.Equal(t, tt.want, searchedByPreview([]byte(tt.tools)), tt.tools)
	}
}
