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

	assert.Contains(t, inputText(chat), read)
	assert.Contains(t, inputText(responses), read)
	assert.NotContains(t, inputText(responses), `\"city\"`, "the output is read decoded, not as JSON")
	assert.Equal(t, chat.TextChars, responses.TextChars)
}

// A custom tool's calls and results (GPT-5's free-form tools, such as an
// apply_patch that takes a whole patch) are read by the model as a
// function's are, so they count toward the input estimate too.
func TestCustomToolCallsAndOutputsCount(t *testing.T) {
	r, err := Parse(Responses, []byte(`{"model":"m","tools":[{"type":"custom","name":"apply_patch"}],"input":[
	 {"role":"user","content":"rename the variable"},
	 {"type":"custom_tool_call","call_id":"1","name":"apply_patch","input":"*** Begin Patch\n*** Update File: main.go\n-x := 1\n+count := 1\n*** End Patch"},
	 {"type":"custom_tool_call_output","call_id":"1","output":"Done: main.go updated"}]}`))
	require.NoError(t, err)
	assert.Contains(t, inputText(r), "+count := 1", "the call's input")
	assert.Contains(t, inputText(r), "Done: main.go updated", "the tool's output")
	assert.Equal(t, "rename the variable", r.Prompt, "neither is the user's question")
}
