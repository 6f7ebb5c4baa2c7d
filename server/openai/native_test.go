package openai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What leaves Claude out is what asks for something: top_logprobs 0 asks
// for none, an empty functions list declares none.
func TestNativeOnlyIgnoresEmptyAsks(t *testing.T) {
	for body, want := range map[string][]string{
		`{"model":"m","messages":[{"role":"user","content":"hi"}],"top_logprobs":0,"functions":[]}`: nil,
		`{"model":"m","messages":[{"role":"user","content":"hi"}],"top_logprobs":2}`:                {"logprobs"},
		`{"model":"m","messages":[{"role":"user","content":"hi"}],"logprobs":false,"n":1}`:          nil,
		`{"model":"m","messages":[{"role":"user","content":"hi"}],"functions":[{"name":"f"}]}`:      {"functions and function_call (the legacy tool form)"},
	} {
		r, err := Parse(Chat, []byte(body))
		require.NoError(t, err, body)
		assert.Equal(t, want, r.NativeOnly, body)
	}
	r, err := Parse(Responses, []byte(`{"model":"m","input":"hi","top_logprobs":0}`))
	require.NoError(t, err)
	assert.Empty(t, r.NativeOnly)
}
