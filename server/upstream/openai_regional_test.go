package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// OpenAI's data residency hosts, as its data controls guide lists them
// (one a region), are OpenAI's API as api.openai.com is: a base URL there
// (OPENAI_BASE_URL=https://eu.api.openai.com/v1) is no server of one's
// own. Hosts that only look like one are not.
func TestOpenAIsRegionalHostsAreOpenAIsAPI(t *testing.T) {
	regional := []string{
		"https://us.api.openai.com/v1", "https://eu.api.openai.com/v1", "https://au.api.openai.com/v1",
		"https://ca.api.openai.com/v1", "https://jp.api.openai.com/v1", "https://in.api.openai.com/v1",
		"https://sg.api.openai.com/v1", "https://kr.api.openai.com/v1", "https://gb.api.openai.com/v1",
		"https://ae.api.openai.com/v1", "https://EU.API.OpenAI.com:443/v1/", "https://eu.api.openai.com./v1",
	}
	lookalikes := []string{
		"https://xx.api.openai.com/v1", "https://api.eu.openai.com/v1", "https://eu.api.openai.com.example.com/v1",
		"https://eu-api.openai.com/v1", "http://eu.localhost:11434/v1",
	}
	m := router.Model{ID: "gpt", Name: "gpt-4.1", Provider: "openai"}
	need := upstream.NeedOpenAIStore("conversation conv_1")
	at := func(base string) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{
			"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: base}}}
	}
	for _, base := range regional {
		assert.True(t, upstream.PublicAPI(base), "a provider's own API: %s", base)
		assert.Empty(t, at(base).Supports(m, upstream.APIResponses, need), "what OpenAI stores: %s", base)
		assert.True(t, at(base).Truncates(m, upstream.APIResponses), "truncation auto: %s", base)
		def := upstream.Providers{Default: &upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: base}}
		assert.Empty(t, def.Supports(m, upstream.APIResponses, need), "the default server: %s", base)
	}
	for _, base := range lookalikes {
		assert.False(t, upstream.PublicAPI(base), base)
		assert.Contains(t, at(base).Supports(m, upstream.APIResponses, need), "is a server of your own", base)
		assert.False(t, at(base).Truncates(m, upstream.APIResponses), base)
	}
}

// At a regional host, OpenAI's answer to a continuation goes out whatever
// it names, and one without a store member is OpenAI's to keep, not the
// gateway's: as at api.openai.com.
func TestOpenAIsRegionalHostIsReadAsOpenAIsAPIForTheResponsesState(t *testing.T) {
	assertReadAsOpenAIsAPIForTheResponsesState(t, upstream.Provider{Kind: upstream.KindOpenAI, BaseURL: "http://eu.api.openai.com/v1"})
}
