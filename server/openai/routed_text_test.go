package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
