package upstream

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The catalog's reasoning models get a reasoning effort they take: the
// nearest one when the client's is refused (OpenAI answers such a value
// with 400 unsupported_value, which does not fail over), the client's own
// when it is taken, and the client's own for a model whose catalog entry
// lists none.
func TestChatReasoningEffortIsOneTheModelTakes(t *testing.T) {
	tests := []struct{ model, sent, want string }{
		{"o4-mini-2025-04-16", "minimal", "low"},
		{"gpt-5-mini-2025-08-07", "none", "minimal"},
		{"gpt-5-2025-08-07", "xhigh", "high"},
		{"gpt-5.2-2025-12-11", "minimal", "low"},
		{"gpt-oss-120b", "minimal", "low"},
		{"gpt-5.2-2025-12-11", "xhigh", "xhigh"},
		{"DeepSeek-V3.1", "minimal", "minimal"},
	}
	for _, tt := range tests {
		m := catalogModel(t, tt.model)
		body, err := RewriteOpenAI([]byte(`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"`+tt.sent+`"}`), APIChatCompletions, m)
		require.NoError(t, err)
		assert.JSONEq(t, `"`+tt.want+`"`, string(rawMembers(t, body)["reasoning_effort"]), "%s sent %s: %s", tt.model, tt.sent, body)
	}
}

// On Responses the effort is reasoning.effort; the rest of `reasoning`
// (summary) reaches the provider as the client sent it.
func TestResponsesReasoningEffortIsOneTheModelTakes(t *testing.T) {
	m := catalogModel(t, "gpt-5-2025-08-07")
	body, err := RewriteOpenAI([]byte(`{"model":"model-router","input":"hi","reasoning":{"effort":"none","summary":"auto"}}`), APIResponses, m)
	require.NoError(t, err)
	var reasoning map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rawMembers(t, body)["reasoning"], &reasoning), "%s", body)
	assert.Equal(t, `"minimal"`, string(reasoning["effort"]), "%s", body)
	assert.Equal(t, `"auto"`, string(reasoning["summary"]), "%s", body)
}
