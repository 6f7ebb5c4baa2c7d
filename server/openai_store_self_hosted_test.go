package server

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// selfHostedOpenAI makes the e2e gateway's openai provider what it is at a
// loopback address: a server of one's own (Ollama, vLLM), not a fake that
// plays OpenAI's API.
func selfHostedOpenAI(c *Config) {
	ps := c.Forwarder.(*upstream.Forwarder).Providers
	p := ps.ByName["openai"]
	p.OpenAIAPI = false
	ps.ByName["openai"] = p // the map Supports reads too
}

// A call that names what only OpenAI stores (a Conversations API
// conversation, a stored prompt, an item_reference, a file id) must not
// reach a server of one's own behind the openai provider's base URL:
// Ollama ignores `conversation` and `prompt` and answers without them, a
// wrong answer with a 200. With no model left the call is 400 no_eligible,
// the candidates saying why, and nothing is sent.
func TestOpenAIStoredIDsStayOffAServerOfYourOwnBehindTheOpenAIProvider(t *testing.T) {
	for name, body := range map[string]string{
		"conversation":   `{"model":"model-router","conversation":"conv_own1","input":"And what did I say before?"}`,
		"prompt":         `{"model":"model-router","prompt":{"id":"pmpt_own1"},"input":"Go on."}`,
		"item_reference": `{"model":"model-router","input":[{"type":"item_reference","id":"msg_own1"},{"role":"user","content":"Go on."}]}`,
		"input_file id":  `{"model":"model-router","input":[{"role":"user","content":[{"type":"input_text","text":"Sum up"},{"type":"input_file","file_id":"file-own1"}]}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t, selfHostedOpenAI)
			status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses", body)
			require.Equal(t, http.StatusBadRequest, status, "%s", raw)
			assert.Equal(t, "no_eligible", *errorOf(t, raw).Error.Code)
			assert.Contains(t, string(raw), "is stored at OpenAI, and provider openai's base URL (127.0.0.1) is a server of your own, not OpenAI's API")
			assert.Empty(t, e.openai.Requests(), "the call reached the server of your own")
		})
	}
}

// The same call with the provider at OpenAI's API (the harness's fake
// declared as such) is served, as before.
func TestOpenAIStoredIDsStillReachTheOpenAIProviderAtOpenAIsAPI(t *testing.T) {
	e := newE2E(t)
	status, _, raw := postRaw(t, e, http.MethodPost, "/v1/responses",
		`{"model":"model-router","conversation":"conv_own2","input":"And what did I say before?"}`)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	assert.NotEmpty(t, e.openai.Requests())
}
