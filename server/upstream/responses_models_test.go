package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// DeepSeek's own API serves deepseek-chat on Chat Completions (and so on
// Messages, translated into them) but not on Responses; the same model on
// a server of your own, and a model DeepSeek's Responses API takes, are
// not limited.
func TestDeepSeeksAPIServesDeepSeekChatOnChatCompletionsOnly(t *testing.T) {
	chat := router.Model{ID: "DeepSeek-V3.2", Name: "DeepSeek-V3.2", UpstreamModel: "deepseek-chat", Provider: "deepseek"}
	flash := router.Model{ID: "flash", Name: "deepseek-v4-flash", Provider: "deepseek"}
	at := func(base string) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{"deepseek": {Name: "deepseek", Kind: upstream.KindOpenAI, BaseURL: base}}}
	}
	own := at(upstream.DefaultDeepSeekBaseURL)
	assert.Contains(t, own.Supports(chat, upstream.APIResponses), "Chat Completions only")
	assert.Empty(t, own.Supports(chat, upstream.APIChatCompletions))
	assert.Empty(t, own.Supports(chat, upstream.APIMessages))
	assert.Empty(t, own.Supports(flash, upstream.APIResponses))
	assert.Empty(t, at("https://API.DeepSeek.com/v1").Supports(flash, upstream.APIResponses))
	assert.NotEmpty(t, at("https://API.DeepSeek.com/v1").Supports(chat, upstream.APIResponses), "a host in any case is the same host")
	assert.Empty(t, at("http://127.0.0.1:8000/v1").Supports(chat, upstream.APIResponses), "a server of your own")
}
