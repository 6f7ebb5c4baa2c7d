package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A tool's output is counted as the text the model reads, whichever API
// carries it: a Responses function_call_output given as a string counts
// as much as the same output in a Chat Completions tool message, not as
// its JSON encoding, whose quotes and escapes (\" and \n) would add about
// half again to a JSON tool result's estimate and leave models out for a
// context the prompt does not fill.
func TestToolOutputCountsTheTextTheModelReads(t *testing.T) {
	const output = `"{\n  \"city\": \"Paris\",\n  \"sky\": \"sunny\",\n  \"temp_c\": 21\n}"`
	const read = "{\n  \"city\": \"Paris\",\n  \"sky\": \"sunny\",\n  \"temp_c\": 21\n}"
	chat, err := Parse(Chat, []byte(`{"model":"m","messages":[{"role":"user","content":"weather in Paris?"},
	 {"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"w","arguments":"{}"}}]},
	 {"role":"tool","tool_call_id":"1","content":`+output+`}]}`))
	require.NoError(t, err)
	responses, err := Parse(Responses, []byte(`{"model":"m","input":[{"role":"user","content":"weather in Paris?"},
	 {"type":"function_call","call_id":"1","name":"w","arguments":"{}"},
	 {"type":"function_call_output","call_id":"1","output":`+output+`}]}`))
	require.NoError(t, err)

	assert.Contains(t, chat.InputText(), read)
	assert.Contains(t, responses.InputText(), read)
	assert.NotContains(t, responses.InputText(), `\"city\"`, "the output is read decoded, not as JSON")
	assert.Equal(t, chat.TextChars, responses.TextChars)
}
