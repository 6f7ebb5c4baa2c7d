package upstream_test

import (
	"testing"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A call that names nothing OpenAI stores, nearly every call, asks
// Supports once per candidate: the OpenAI-store check must cost it no
// parse of the provider's base URL.
func BenchmarkSupportsForACallNamingNothingOpenAIStores(b *testing.B) {
	m := router.Model{ID: "gpt", Name: "gpt-4.1", Provider: "openai"}
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: upstream.DefaultOpenAIBaseURL}}}
	needs := []string{upstream.NeedMessages(3), upstream.NeedBytes(2048)}
	b.ReportAllocs()
	for b.Loop() {
		if why := ps.Supports(m, upstream.APIResponses, needs...); why != "" {
			b.Fatal(why)
		}
	}
}
