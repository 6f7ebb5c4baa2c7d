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

// OpenAI and Azure cut a Responses call's prompt to fit for truncation
// "auto"; Claude's translation does not carry truncation, other servers
// are not known to honour it, and Chat Completions has no such member.
func TestOnlyOpenAIAndAzureCutAPromptForTruncationAuto(t *testing.T) {
	gpt := router.Model{ID: "gpt", Name: "gpt-x", Provider: "openai"}
	claude := router.Model{ID: "claude", Name: "claude-x", Provider: "anthropic"}
	llama := router.Model{ID: "llama", Name: "llama-x", Provider: "meta"}
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: upstream.DefaultOpenAIBaseURL},
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "http://127.0.0.1:1"},
		"meta":      {Name: "meta", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:2/v1"},
	}}
	azure := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai": {Name: "azure", Kind: upstream.KindAzure, BaseURL: "http://127.0.0.1:3"},
	}}
	assert.True(t, ps.Truncates(gpt, upstream.APIResponses))
	assert.True(t, azure.Truncates(gpt, upstream.APIResponses))
	assert.False(t, ps.Truncates(claude, upstream.APIResponses))
	assert.False(t, ps.Truncates(llama, upstream.APIResponses))
	assert.False(t, ps.Truncates(gpt, upstream.APIChatCompletions))
}

// The openai provider cuts a prompt where its base URL reaches OpenAI's
// API: at OpenAI's host, or a proxy declared to reach it (openai_api),
// the default server too when it does. A server of one's own behind the
// openai provider's base URL (vLLM, Ollama) is not known to cut: the
// prompt must fit its model's window, as at any other server.
func TestTruncationAutoIsReadAsCutOnlyWhereTheBaseURLReachesOpenAIsAPI(t *testing.T) {
	gpt := router.Model{ID: "gpt", Name: "gpt-x", Provider: "openai"}
	at := func(p upstream.Provider) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{"openai": p}}
	}
	own := upstream.Provider{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:11434/v1"}
	assert.False(t, at(own).Truncates(gpt, upstream.APIResponses), "a server of your own")
	proxy := upstream.Provider{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://llm-proxy.corp.example/v1", OpenAIAPI: true}
	assert.True(t, at(proxy).Truncates(gpt, upstream.APIResponses), "a proxy declared to reach OpenAI's API")
	def := upstream.Providers{Default: &upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: upstream.DefaultOpenAIBaseURL}}
	assert.True(t, def.Truncates(gpt, upstream.APIResponses), "the default server at OpenAI's API")
}
