package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// Only OpenAI's own API (or an Azure resource standing in for it) reads
// what OpenAI stores; the openai provider at a server of one's own is
// left out, and models of other providers are the router's to judge.
func TestOnlyOpenAIsOwnAPIServesWhatOpenAIStores(t *testing.T) {
	m := router.Model{ID: "gpt", Name: "gpt-4.1", Provider: "openai"}
	need := upstream.NeedOpenAIStore("conversation conv_1")
	for base, served := range map[string]bool{
		"https://api.openai.com/v1":       true,
		"https://API.OpenAI.com:443/v1/":  true,
		"http://localhost:11434/v1":       false,
		"http://127.0.0.1:8000/v1":        false,
		"https://api.x.ai/v1":             false,
		"https://my-proxy.example.com/v1": false,
	} {
		ps := upstream.Providers{ByName: map[string]upstream.Provider{
			"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: base}}}
		why := ps.Supports(m, upstream.APIResponses, need)
		if served {
			assert.Empty(t, why, base)
		} else {
			assert.Contains(t, why, "conversation conv_1 is stored at OpenAI", base)
		}
	}
	azure := upstream.Providers{ByName: map[string]upstream.Provider{
		"azure": {Name: "azure", Kind: upstream.KindAzure, BaseURL: "https://res.openai.azure.com"}}}
	assert.Empty(t, azure.Supports(m, upstream.APIResponses, need), "the openai models reach Azure when only it is configured")

	def := upstream.Providers{Default: &upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: "http://localhost:11434/v1"}}
	assert.Contains(t, def.Supports(m, upstream.APIResponses, need), "provider default's base URL (localhost) is a server of your own")

	claude := router.Model{ID: "claude", Name: "claude-x", Provider: "anthropic"}
	anth := upstream.Providers{ByName: map[string]upstream.Provider{
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "http://127.0.0.1:9"}}}
	assert.Empty(t, anth.Supports(claude, upstream.APIResponses, need), "the router says why Claude is left out")
}
