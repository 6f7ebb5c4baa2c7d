package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// The router model is trained and evaluated on one text per prompt; the
// same conversation sent through another API must reach it as the same
// text, or the gateway decides differently depending on the client's SDK.

func routedText(t *testing.T, api API, body string) string {
	t.Helper()
	r, err := Parse(api, []byte(body))
	require.NoError(t, err)
	return r.Prompt
}

func TestOneSystemPromptIsReadAlikeInEveryAPI(t *testing.T) {
	want := routedText(t, Chat, `{"model":"m","messages":[
		{"role":"system","content":"You are a helpful assistant."},
		{"role":"user","content":"Prove that there are infinitely many primes."}]}`)
	assert.Equal(t, "Prove that there are infinitely many primes.", want, "the prompt is read as training and eval read it, without the system prompt")
	for name, c := range map[string]struct {
		api  API
		body string
	}{
		"messages system": {Messages, `{"model":"m","max_tokens":100,"system":"You are a helpful assistant.",
			"messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}`},
		"responses instructions": {Responses, `{"model":"m","instructions":"You are a helpful assistant.",
			"input":"Prove that there are infinitely many primes."}`},
		"chat developer message": {Chat, `{"model":"m","messages":[
			{"role":"developer","content":"You are a helpful assistant."},
			{"role":"user","content":"Prove that there are infinitely many primes."}]}`},
		"responses system item": {Responses, `{"model":"m","input":[
			{"role":"system","content":"You are a helpful assistant."},
			{"role":"user","content":"Prove that there are infinitely many primes."}]}`},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, want, routedText(t, c.api, c.body))
		})
	}
}

func TestToolResultBeforeTheLastTurnIsReadAlikeInEveryAPI(t *testing.T) {
	const result = `{\"Paris\":{\"temp_c\":18,\"conditions\":\"light rain\"}}`
	chat := routedText(t, Chat, `{"model":"m","messages":[
		{"role":"user","content":"What's the weather in Paris?"},
		{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
		{"role":"tool","tool_call_id":"c1","content":"`+result+`"},
		{"role":"assistant","content":"18 °C with light rain."},
		{"role":"user","content":"Write a short poem about it."}]}`)
	responses := routedText(t, Responses, `{"model":"m","input":[
		{"role":"user","content":"What's the weather in Paris?"},
		{"type":"function_call","call_id":"c1","name":"weather","arguments":"{\"city\":\"Paris\"}"},
		{"type":"function_call_output","call_id":"c1","output":"`+result+`"},
		{"role":"assistant","content":"18 °C with light rain."},
		{"role":"user","content":"Write a short poem about it."}]}`)
	messages := routedText(t, Messages, `{"model":"m","max_tokens":100,"messages":[
		{"role":"user","content":"What's the weather in Paris?"},
		{"role":"assistant","content":[{"type":"tool_use","id":"c1","name":"weather","input":{"city":"Paris"}}]},
		{"role":"user","content":[{"type":"tool_result","tool_use_id":"c1","content":"`+result+`"}]},
		{"role":"assistant","content":"18 °C with light rain."},
		{"role":"user","content":"Write a short poem about it."}]}`)
	legacy := routedText(t, Chat, `{"model":"m","messages":[
		{"role":"user","content":"What's the weather in Paris?"},
		{"role":"assistant","content":null,"function_call":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},
		{"role":"function","name":"weather","content":"`+result+`"},
		{"role":"assistant","content":"18 °C with light rain."},
		{"role":"user","content":"Write a short poem about it."}]}`)
	assert.Equal(t, "user: What's the weather in Paris?\n\nassistant: 18 °C with light rain.\n\n"+router.LastTurnMark+"Write a short poem about it.", responses)
	assert.Equal(t, responses, messages)
	assert.Equal(t, responses, chat, "a Chat tool message is not read, as Responses and Messages tool results are not")
	assert.Equal(t, responses, legacy, "nor a legacy function message")
}
