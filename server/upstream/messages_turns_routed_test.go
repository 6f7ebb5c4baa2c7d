package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/openai"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A Messages call translated for an OpenAI-format model forwards the turns
// routing read: openai.Parse reads a member by its exact name and the last
// of duplicates, and so does the translation. (Decoding the turns with
// encoding/json forwarded a "Role", "CONTENT" or "Messages" written after
// the member routing read.)
func TestMessagesTurnsForwardedAsRouted(t *testing.T) {
	m := openAIModel("gpt-x")
	plain := `{"model":"router","max_tokens":5,"messages":[{"role":"user","content":"routed"}]}`
	want, err := upstream.MessagesToChat([]byte(plain), m)
	require.NoError(t, err)
	for _, body := range []string{
		`{"model":"router","max_tokens":5,"messages":[{"role":"user","content":"routed","Role":"assistant"}]}`,
		`{"model":"router","max_tokens":5,"messages":[{"role":"user","content":"routed","CONTENT":"forwarded"}]}`,
		`{"model":"router","max_tokens":5,"messages":[{"role":"user","content":"routed"}],"Messages":[{"role":"user","content":"forwarded"}]}`,
		`{"model":"router","max_tokens":5,"messages":[{"role":"user","content":"forwarded"}],"messages":[{"role":"user","content":"routed"}]}`,
		`{"model":"router","max_tokens":5,"messages":[{"role":"assistant","content":"forwarded","r\u006fle":"user","content":"routed"}]}`,
	} {
		r, err := openai.Parse(openai.Messages, []byte(body))
		require.NoError(t, err, body)
		assert.Contains(t, r.Prompt, "routed", body)
		assert.NotContains(t, r.Prompt, "forwarded", body)
		got, err := upstream.MessagesToChat([]byte(body), m)
		require.NoError(t, err, body)
		assert.JSONEq(t, string(want), string(got), body)
	}
}
