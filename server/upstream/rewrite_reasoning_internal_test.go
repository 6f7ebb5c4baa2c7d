package upstream

import (
	"encoding/json"
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
