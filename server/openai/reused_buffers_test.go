package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Chat messages, their content parts and Responses items are each read
// into one buffer the next one reuses: a message, part or item must carry
// nothing over from the one before it (a tool call, a refusal, a file, a
// legacy function_call).
func TestEachMessageIsReadOnItsOwn(t *testing.T) {
	chat := `{"model":"m","messages":[
		{"role":"assistant","content":null,"refusal":"I will not.","function_call":{"name":"f","arguments":"{}"},
		 "tool_calls":[{"id":"c1","type":"function","function":{"name":"look","arguments":"{\"q\":1}"}}]},
		{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}},{"type":"text","text":"What now?"}]},
		{"role":"user","content":"And then?"}]}`
	r, err := Parse(Chat, []byte(chat))
	require.NoError(t, err)
	// The turns' texts, then the tool call and the refusal, each once.
	assert.Equal(t, "What now?\nAnd then?\nlook\n{\"q\":1}\nI will not.", inputText(r))
	assert.Equal(t, 1, r.Files, "the file part is counted once")
	assert.Contains(t, r.NativeOnly, "functions and function_call (the legacy tool form)")

	plain := `{"model":"m","messages":[{"role":"tool","tool_call_id":"c1","content":"42"},{"role":"user","content":"Thanks."}]}`
	r, err = Parse(Chat, []byte(plain))
	require.NoError(t, err)
	assert.NotContains(t, r.NativeOnly, "functions and function_call (the legacy tool form)")

	responses := `{"model":"m","input":[
		{"type":"function_call","call_id":"c1","name":"look","arguments":"{\"q\":1}","id":"fc_1"},
		{"type":"function_call_output","call_id":"c1","output":"42"},
		{"role":"user","content":"Go on."}]}`
	r, err = Parse(Responses, []byte(responses))
	require.NoError(t, err)
	assert.Equal(t, []string{"fc_1"}, r.InputItemIDs, "only the call names an id")
	assert.Equal(t, "Go on.", r.Prompt)
}
