package upstream_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// Each provider is held to the caps its own documentation states, on the
// API the call reaches it in, and no other.
func TestSupportsHoldsEachProviderToItsDocumentedCaps(t *testing.T) {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://api.openai.com/v1"},
		"azure":     {Name: "azure", Kind: upstream.KindAzure, BaseURL: "https://x.openai.azure.com"},
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "https://api.anthropic.com"},
		"meta":      {Name: "meta", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:8000/v1"},
	}}
	gpt := router.Model{ID: "gpt", Provider: "openai"}
	azure := router.Model{ID: "gpt-azure", Provider: "azure"}
	claude := router.Model{ID: "claude", Provider: "anthropic"}
	llama := router.Model{ID: "llama", Provider: "meta"}
	chat, messages, responses := upstream.APIChatCompletions, upstream.APIMessages, upstream.APIResponses
	tools, msgs := upstream.NeedTools, upstream.NeedMessages
	for _, tt := range []struct {
		name  string
		m     router.Model
		api   upstream.API
		needs []string
		want  string
	}{
		{"OpenAI, 128 tools", gpt, chat, []string{tools(128)}, ""},
		{"OpenAI, 129 tools", gpt, chat, []string{tools(129)}, "provider openai takes at most 128 tools on Chat Completions, the call declares 129"},
		{"OpenAI, 129 tools of a Messages call", gpt, messages, []string{tools(129)}, "provider openai takes at most 128 tools on Chat Completions, the call declares 129"},
		{"OpenAI, 129 tools on Responses, whose cap is not documented", gpt, responses, []string{tools(129)}, ""},
		{"Azure, 129 tools", azure, chat, []string{tools(129)}, "provider azure takes at most 128 tools on Chat Completions, the call declares 129"},
		{"Azure, 2048 messages", azure, chat, []string{msgs(2048)}, ""},
		{"Azure, 2049 messages", azure, chat, []string{msgs(2049)}, "provider azure takes at most 2048 messages on Chat Completions, the call sends 2049"},
		{"OpenAI, 2049 messages, no cap documented", gpt, chat, []string{msgs(2049)}, ""},
		{"another OpenAI-compatible server, no cap of OpenAI's", llama, chat, []string{tools(500), msgs(200_000)}, ""},
		{"Claude, 100,000 messages", claude, messages, []string{msgs(100_000)}, ""},
		{"Claude, 100,001 messages", claude, messages, []string{msgs(100_001)}, "provider anthropic takes at most 100000 messages, the call sends 100001"},
		{"Claude, 500 tools", claude, messages, []string{tools(500)}, ""},
		{"Claude, counts beside a tool type it carries", claude, chat, []string{"function", tools(500)}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ps.Supports(tt.m, tt.api, tt.needs...))
		})
	}
}

// OpenAI's 4 stop sequences bind a model that is sent them: a reasoning
// model gets the call without stop.
func TestSupportsHoldsOpenAIModelsSentStopToFourSequences(t *testing.T) {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://api.openai.com/v1"},
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "https://api.anthropic.com"},
	}}
	gpt := router.Model{ID: "gpt", Provider: "openai"}
	o4 := router.Model{ID: "o4", Provider: "openai", Capabilities: router.Capabilities{Reasoning: true}}
	claude := router.Model{ID: "claude", Provider: "anthropic"}
	chat := upstream.APIChatCompletions
	assert.Empty(t, ps.Supports(gpt, chat, upstream.NeedStops(4)))
	assert.Equal(t, "provider openai takes at most 4 stop sequences on Chat Completions, the call sets 5", ps.Supports(gpt, chat, upstream.NeedStops(5)))
	assert.Empty(t, ps.Supports(o4, chat, upstream.NeedStops(5)))
	assert.Empty(t, ps.Supports(claude, chat, upstream.NeedStops(5)))
}

// Anthropic's vision guide caps images per request by the model's window.
func TestSupportsHoldsClaudeToItsImagesPerRequest(t *testing.T) {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "https://api.anthropic.com"},
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://api.openai.com/v1"},
	}}
	claude := router.Model{ID: "claude", Provider: "anthropic", ContextWindow: 200_000}
	longClaude := router.Model{ID: "claude-1m", Provider: "anthropic", ContextWindow: 1_000_000}
	gpt := router.Model{ID: "gpt", Provider: "openai"}
	for _, api := range []upstream.API{upstream.APIMessages, upstream.APIChatCompletions, upstream.APIResponses} {
		assert.Empty(t, ps.Supports(claude, api, upstream.NeedImages(100)), api)
		assert.Equal(t, "provider anthropic takes at most 100 images in a request to claude, the call sends 101",
			ps.Supports(claude, api, upstream.NeedImages(101)), api)
		assert.Empty(t, ps.Supports(longClaude, api, upstream.NeedImages(600)), api)
		assert.Contains(t, ps.Supports(longClaude, api, upstream.NeedImages(601)), "at most 600 images", api)
		assert.Empty(t, ps.Supports(gpt, api, upstream.NeedImages(601)), api)
	}
}

// OpenAI takes function names of up to 64 of [a-zA-Z0-9_-], Claude up to
// 128 of them.
func TestSupportsHoldsToolNamesToEachProvidersPattern(t *testing.T) {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://api.openai.com/v1"},
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "https://api.anthropic.com"},
		"meta":      {Name: "meta", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:8000/v1"},
	}}
	gpt := router.Model{ID: "gpt", Provider: "openai"}
	claude := router.Model{ID: "claude", Provider: "anthropic"}
	llama := router.Model{ID: "llama", Provider: "meta"}
	name64, name65, name129 := strings.Repeat("a", 64), strings.Repeat("a", 65), strings.Repeat("a", 129)
	chat, messages := upstream.APIChatCompletions, upstream.APIMessages
	for _, api := range []upstream.API{chat, messages} {
		assert.Empty(t, ps.Supports(gpt, api, upstream.NeedToolName("get_weather-v2")), api)
		assert.Empty(t, ps.Supports(gpt, api, upstream.NeedToolName(name64)), api)
		assert.Contains(t, ps.Supports(gpt, api, upstream.NeedToolName(name65)), "provider openai takes tool names of 1 to 64 letters, digits, _ and -", api)
		assert.Contains(t, ps.Supports(gpt, api, upstream.NeedToolName("files.read")), `not "files.read"`, api)
		assert.Empty(t, ps.Supports(claude, api, upstream.NeedToolName(name65)), api)
		assert.Contains(t, ps.Supports(claude, api, upstream.NeedToolName(name129)), "provider anthropic takes tool names of 1 to 128 letters, digits, _ and -", api)
		assert.Contains(t, ps.Supports(claude, api, upstream.NeedToolName("files.read")), `not "files.read"`, api)
		assert.Empty(t, ps.Supports(llama, api, upstream.NeedToolName("files.read")), api)
	}
	assert.Empty(t, ps.Supports(gpt, upstream.APIResponses, upstream.NeedToolName(name65)), "no rule documented for Responses here")
}

// Anthropic's Messages API takes requests of up to 32 MB.
func TestSupportsHoldsClaudeToItsRequestSize(t *testing.T) {
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "https://api.anthropic.com"},
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://api.openai.com/v1"},
	}}
	claude := router.Model{ID: "claude", Provider: "anthropic"}
	gpt := router.Model{ID: "gpt", Provider: "openai"}
	for _, api := range []upstream.API{upstream.APIMessages, upstream.APIChatCompletions} {
		assert.Empty(t, ps.Supports(claude, api, upstream.NeedBytes(32<<20)), api)
		assert.Equal(t, "provider anthropic takes requests of at most 32 MB, the call's body is 33554433 bytes",
			ps.Supports(claude, api, upstream.NeedBytes(32<<20+1)), api)
		assert.Empty(t, ps.Supports(gpt, api, upstream.NeedBytes(32<<20+1)), api)
	}
}
