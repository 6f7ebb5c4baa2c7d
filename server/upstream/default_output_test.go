package upstream_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// The output the router makes room for is the max_tokens the translation
// sends to Claude when the client set none, on each API that translates;
// a call Claude takes in its own API, and a model whose API needs no
// limit, are sent none.
func TestDefaultOutputIsTheMaxTokensTheTranslationSends(t *testing.T) {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "http://127.0.0.1:1"},
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:1"},
	}}
	small := claudeModel
	small.MaxOutput = 1024
	sent := func(out []byte, err error) int {
		t.Helper()
		require.NoError(t, err)
		var body struct {
			MaxTokens int `json:"max_tokens"`
		}
		require.NoError(t, json.Unmarshal(out, &body))
		return body.MaxTokens
	}
	for _, m := range []router.Model{claudeModel, small} {
		chat := sent(upstream.ToAnthropic([]byte(`{"messages":[{"role":"user","content":"x"}]}`), m))
		assert.Equal(t, chat, ps.DefaultOutput(m, upstream.APIChatCompletions), "max_output %d", m.MaxOutput)
		resp := sent(upstream.ResponsesToAnthropic([]byte(`{"input":"x"}`), m))
		assert.Equal(t, resp, ps.DefaultOutput(m, upstream.APIResponses), "max_output %d", m.MaxOutput)
		assert.Zero(t, ps.DefaultOutput(m, upstream.APIMessages), "a Messages call sets its own max_tokens")
	}
	gpt := router.Model{ID: "gpt", Provider: "openai", MaxOutput: 1024}
	assert.Zero(t, ps.DefaultOutput(gpt, upstream.APIChatCompletions))
	assert.Zero(t, ps.DefaultOutput(gpt, upstream.APIMessages), "the translation to Chat Completions needs no limit")
}
