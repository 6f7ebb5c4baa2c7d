package upstream_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// A proxy in front of OpenAI's API (LiteLLM, an egress proxy) passes
// OpenAI's ids on to OpenAI: declared as such (Provider.OpenAIAPI, set by
// openai_api), it serves such a call again. Undeclared, the refusal says
// how to declare it, for the openai provider and the default server.
func TestAProxyDeclaredAsOpenAIsAPIServesWhatOpenAIStores(t *testing.T) {
	m := router.Model{ID: "gpt", Name: "gpt-4.1", Provider: "openai"}
	need := upstream.NeedOpenAIStore("conversation conv_1")
	proxy := upstream.Provider{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://llm-proxy.corp.example/v1"}
	undeclared := upstream.Providers{ByName: map[string]upstream.Provider{"openai": proxy}}
	assert.Contains(t, undeclared.Supports(m, upstream.APIResponses, need),
		`a proxy in front of OpenAI's API? declare it: "openai_api": true in its providers entry, or MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=true`)

	proxy.OpenAIAPI = true
	declared := upstream.Providers{ByName: map[string]upstream.Provider{"openai": proxy}}
	assert.Empty(t, declared.Supports(m, upstream.APIResponses, need))

	def := upstream.Providers{Default: &upstream.Provider{Name: "default", Kind: upstream.KindOpenAI, BaseURL: "https://gateway.example/v1"}}
	assert.Contains(t, def.Supports(m, upstream.APIResponses, need), "MODELROUTER_UPSTREAM_DEFAULT_OPENAI_API=true")
	def.Default.OpenAIAPI = true
	assert.Empty(t, def.Supports(m, upstream.APIResponses, need))
}

// A tool OpenAI's platform runs reaches only OpenAI's API (a regional
// host, a declared proxy) or an Azure resource, on Responses; any model of
// an OpenAI-compatible server of one's own is left out, whatever its
// provider, and tools the client runs stay.
func TestOnlyOpenAIsAPIServesToolsItsPlatformRuns(t *testing.T) {
	gpt := router.Model{ID: "gpt", Name: "gpt-4.1", Provider: "openai"}
	oss := router.Model{ID: "gpt-oss-120b", Name: "gpt-oss-120b", Provider: "gpt-oss"}
	at := func(p upstream.Provider) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{p.Name: p}}
	}
	own := at(upstream.Provider{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://localhost:11434/v1"})
	vllm := at(upstream.Provider{Name: "gpt-oss", Kind: upstream.KindOpenAI, BaseURL: "http://10.0.0.5:8000/v1"})

	for _, typ := range []string{"web_search_preview", "web_search_preview_2025_03_11", "web_search", "file_search", "code_interpreter", "image_generation", "mcp"} {
		assert.Contains(t, own.Supports(gpt, upstream.APIResponses, "function", typ),
			`tool type "`+typ+`" is run by OpenAI's platform, and provider openai's base URL (localhost) is not OpenAI's API (a proxy in front of OpenAI's API? declare it`)
		why := vllm.Supports(oss, upstream.APIResponses, typ)
		assert.Contains(t, why, `provider gpt-oss's base URL (10.0.0.5) is not OpenAI's API`, typ)
		assert.NotContains(t, why, "openai_api", "no setting declares gpt-oss's server OpenAI's API")
		assert.Contains(t, why, "MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=", "the refusal names the declaration of a server that runs the tool")
	}
	for _, typ := range []string{"function", "custom", "computer_use_preview", "local_shell", "apply_patch"} {
		assert.Empty(t, own.Supports(gpt, upstream.APIResponses, typ), "%s is run by the client", typ)
	}
	assert.Empty(t, own.Supports(gpt, upstream.APIChatCompletions, "web_search_preview"), "Chat Completions: OpenAI's own 400, as before")

	for _, p := range []upstream.Provider{
		{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://api.openai.com/v1"},
		{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://eu.api.openai.com/v1"},
		{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "https://egress.example.com/v1", OpenAIAPI: true},
		{Name: "azure", Kind: upstream.KindAzure, BaseURL: "https://res.openai.azure.com"},
	} {
		assert.Empty(t, at(p).Supports(gpt, upstream.APIResponses, "web_search_preview", "mcp"), p.BaseURL)
	}
	// xAI's own API runs built-in tools of its own; whether a call with
	// such tools may leave OpenAI is --agent-tools-openai-only's to say.
	grok := router.Model{ID: "grok", Name: "grok-4", Provider: "xai"}
	xai := at(upstream.Provider{Name: "xai", Kind: upstream.KindOpenAI, BaseURL: "https://api.x.ai/v1"})
	assert.Empty(t, xai.Supports(grok, upstream.APIResponses, "web_search", "code_interpreter", "mcp"))
	xaiOwn := at(upstream.Provider{Name: "xai", Kind: upstream.KindOpenAI, BaseURL: "http://127.0.0.1:9000/v1"})
	assert.Contains(t, xaiOwn.Supports(grok, upstream.APIResponses, "web_search"), "is not OpenAI's API")

	claude := router.Model{ID: "claude", Name: "claude-x", Provider: "anthropic"}
	anth := at(upstream.Provider{Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: "https://api.anthropic.com"})
	assert.Equal(t, `provider anthropic cannot carry tool type "web_search_preview"`,
		anth.Supports(claude, upstream.APIResponses, "web_search_preview"), "the translation's refusal, as before")
}

// A server of one's own declared to run some hosted tool types (vLLM or
// SGLang started with a tool server: hosted_tools) serves a Responses
// call declaring those, dated names included, and still refuses one that
// declares a type the declaration leaves out, saying so and how to add
// it. Undeclared, the refusal names the declaration.
func TestAServerDeclaredToRunHostedToolsServesOnlyThose(t *testing.T) {
	oss := router.Model{ID: "gpt-oss-120b", Name: "gpt-oss-120b", Provider: "gpt-oss"}
	vllm := upstream.Provider{Name: "gpt-oss", Kind: upstream.KindOpenAI, BaseURL: "http://10.0.0.5:8000/v1"}
	at := func(p upstream.Provider) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{p.Name: p}}
	}

	undeclared := at(vllm).Supports(oss, upstream.APIResponses, "web_search_preview")
	assert.Contains(t, undeclared, `tool type "web_search_preview" is run by OpenAI's platform, and provider gpt-oss's base URL (10.0.0.5) is not OpenAI's API`)
	assert.Contains(t, undeclared, `declare it: "hosted_tools": ["web_search_preview"] in its providers entry, or MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=web_search_preview`)
	dated := at(vllm).Supports(oss, upstream.APIResponses, "web_search_preview_2025_03_11")
	assert.Contains(t, dated, `"hosted_tools": ["web_search_preview"]`, "a dated name is declared by its undated one")

	vllm.HostedTools = []string{"web_search_preview", "code_interpreter", "mcp"}
	declared := at(vllm)
	for _, types := range [][]string{
		{"web_search_preview"}, {"web_search_preview_2025_03_11"}, {"code_interpreter"}, {"mcp"},
		{"function", "web_search_preview", "code_interpreter", "mcp"},
	} {
		assert.Empty(t, declared.Supports(oss, upstream.APIResponses, types...), "%v", types)
	}
	for _, typ := range []string{"web_search", "file_search", "image_generation"} {
		why := declared.Supports(oss, upstream.APIResponses, "web_search_preview", typ)
		assert.Contains(t, why, `tool type "`+typ+`" is run by OpenAI's platform, and provider gpt-oss's base URL (10.0.0.5) is not OpenAI's API, and its hosted_tools declaration (web_search_preview, code_interpreter, mcp) does not name it`, typ)
		assert.Contains(t, why, `add "`+typ+`" to "hosted_tools" in its providers entry, or to MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS`, typ)
	}

	// The openai provider behind a server of one's own is offered both
	// declarations; declared to run the tool, it serves the call.
	gpt := router.Model{ID: "gpt", Name: "gpt-4.1", Provider: "openai"}
	own := upstream.Provider{Name: "openai", Kind: upstream.KindOpenAI, BaseURL: "http://localhost:8000/v1"}
	why := at(own).Supports(gpt, upstream.APIResponses, "mcp")
	assert.Contains(t, why, "MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=true")
	assert.Contains(t, why, "MODELROUTER_UPSTREAM_OPENAI_HOSTED_TOOLS=mcp")
	own.HostedTools = []string{"mcp"}
	assert.Empty(t, at(own).Supports(gpt, upstream.APIResponses, "mcp"))
	assert.Contains(t, at(own).Supports(gpt, upstream.APIResponses, "mcp", "file_search"), `tool type "file_search"`)
}

// The startup log shows a hosted_tools declaration where it shows
// openai_api's.
func TestTheStartupLineShowsAHostedToolsDeclaration(t *testing.T) {
	p := upstream.Provider{Name: "gpt-oss", Kind: upstream.KindOpenAI, BaseURL: "http://10.0.0.5:8000/v1",
		HostedTools: []string{"web_search_preview", "mcp"}}
	assert.Equal(t, "gpt-oss (openai, http://10.0.0.5:8000/v1, no key, hosted_tools declared: web_search_preview mcp)", p.String())
	p.HostedTools = nil
	assert.Equal(t, "gpt-oss (openai, http://10.0.0.5:8000/v1, no key)", p.String())
}

// A provider's hosted_tools declaration is read from
// MODELROUTER_UPSTREAM_<NAME>_HOSTED_TOOLS, a comma-separated list.
func TestTheEnvironmentDeclaresHostedTools(t *testing.T) {
	ps := upstream.FromEnviron([]string{
		"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=http://10.0.0.5:8000/v1",
		"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS= web_search_preview, code_interpreter ,mcp",
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://10.0.0.6:30000/v1",
		"MODELROUTER_UPSTREAM_DEFAULT_HOSTED_TOOLS=web_search_preview",
		"OPENAI_BASE_URL=http://10.0.0.7:8000/v1",
	})
	assert.Equal(t, []string{"web_search_preview", "code_interpreter", "mcp"}, ps.ByName["gpt-oss"].HostedTools)
	require.NotNil(t, ps.Default)
	assert.Equal(t, []string{"web_search_preview"}, ps.Default.HostedTools)
	assert.Empty(t, ps.ByName["openai"].HostedTools)
}

// A provider's own public API other than OpenAI's runs the hosted tool
// types it documents on its Responses API, and only those: Groq's code
// execution for gpt-oss and remote MCP, xAI's web_search, code
// interpreter, collections search (file_search) and remote MCP;
// DeepSeek's none. Any other type leaves the model out, saying which API
// it is and what it documents, and how to declare a type it takes; a
// declaration (hosted_tools) adds the type.
func TestAProvidersOwnAPIServesOnlyTheHostedToolsItDocuments(t *testing.T) {
	oss := router.Model{ID: "gpt-oss-120b", Name: "gpt-oss-120b", UpstreamModel: "openai/gpt-oss-120b", Provider: "gpt-oss"}
	llama := router.Model{ID: "llama", Name: "llama-4-maverick", UpstreamModel: "meta-llama/llama-4-maverick-17b-128e-instruct", Provider: "meta"}
	grok := router.Model{ID: "grok", Name: "grok-4", Provider: "xai"}
	ds := router.Model{ID: "ds", Name: "deepseek-v4-flash", Provider: "deepseek"}
	at := func(name, base string, declared ...string) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{
			name: {Name: name, Kind: upstream.KindOpenAI, BaseURL: base, APIKey: "k", HostedTools: declared}}}
	}
	groq := at("gpt-oss", upstream.GroqBaseURL)
	assert.Empty(t, groq.Supports(oss, upstream.APIResponses, "function", "code_interpreter", "mcp"))
	for _, typ := range []string{"web_search_preview", "web_search", "web_search_2025_08_26", "file_search", "image_generation"} {
		assert.Equal(t, `tool type "`+typ+`" is run by OpenAI's platform, and provider gpt-oss's base URL (api.groq.com) is Groq's API,`+
			` whose Responses API documents only code_interpreter and mcp of these types`+
			` (does its API take it now? declare it: "hosted_tools": ["`+strings.TrimSuffix(typ, "_2025_08_26")+`"] in its providers entry,`+
			` or MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=`+strings.TrimSuffix(typ, "_2025_08_26")+`)`,
			groq.Supports(oss, upstream.APIResponses, "code_interpreter", typ), typ)
	}
	assert.Empty(t, at("gpt-oss", upstream.GroqBaseURL, "web_search").Supports(oss, upstream.APIResponses, "web_search", "mcp"), "declared")

	meta := at("meta", upstream.GroqBaseURL)
	assert.Empty(t, meta.Supports(llama, upstream.APIResponses, "mcp"))
	assert.Contains(t, meta.Supports(llama, upstream.APIResponses, "code_interpreter"),
		"is Groq's API, whose Responses API documents only mcp of these types for meta-llama/llama-4-maverick-17b-128e-instruct (code_interpreter for gpt-oss models)")

	xai := at("xai", "https://api.x.ai/v1")
	assert.Empty(t, xai.Supports(grok, upstream.APIResponses, "web_search", "code_interpreter", "file_search", "mcp"))
	for _, typ := range []string{"web_search_preview", "image_generation"} {
		assert.Contains(t, xai.Supports(grok, upstream.APIResponses, typ),
			"provider xai's base URL (api.x.ai) is xAI's API, whose Responses API documents only web_search, code_interpreter, file_search and mcp of these types", typ)
	}

	deepseek := at("deepseek", "https://api.deepseek.com")
	assert.Contains(t, deepseek.Supports(ds, upstream.APIResponses, "web_search"),
		"provider deepseek's base URL (api.deepseek.com) is DeepSeek's API, which documents none of these types")
	assert.Empty(t, deepseek.Supports(ds, upstream.APIResponses, "function"))
}

// A tool type only a provider's own API runs goes only there: Groq's
// browser_search (Chat Completions and Responses) and code_interpreter
// (Chat Completions) for its gpt-oss models, xAI's x_search (Responses).
// OpenAI's API, an Azure resource, another model at Groq and a server of
// one's own are left out, saying where the type runs; a server of one's
// own declared to run it (hosted_tools) is not. A type no provider is
// known to run is left to the server, as before.
func TestAProvidersOwnToolTypeIsServedOnlyWhereItRuns(t *testing.T) {
	oss := router.Model{ID: "gpt-oss-120b", Name: "gpt-oss-120b", UpstreamModel: "openai/gpt-oss-120b", Provider: "gpt-oss"}
	llama := router.Model{ID: "llama", Name: "llama-4-maverick", UpstreamModel: "meta-llama/llama-4-maverick-17b-128e-instruct", Provider: "gpt-oss"}
	mini := router.Model{ID: "mini", Name: "gpt-4.1-mini", Provider: "gpt-oss"}
	grok := router.Model{ID: "grok", Name: "grok-4", Provider: "gpt-oss"}
	at := func(base string, declared ...string) upstream.Providers {
		return upstream.Providers{ByName: map[string]upstream.Provider{
			"gpt-oss": {Name: "gpt-oss", Kind: upstream.KindOpenAI, BaseURL: base, APIKey: "k", HostedTools: declared}}}
	}
	groq, xai, openAI, own := at(upstream.GroqBaseURL), at("https://api.x.ai/v1"), at("https://api.openai.com/v1"), at("http://10.0.0.5:8000/v1")
	azure := upstream.Providers{ByName: map[string]upstream.Provider{
		"gpt-oss": {Name: "gpt-oss", Kind: upstream.KindAzure, BaseURL: "https://res.openai.azure.com", APIKey: "k"}}}

	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIResponses} {
		assert.Empty(t, groq.Supports(oss, api, "function", "browser_search"), api)
		assert.Equal(t, `tool type "browser_search" is one Groq's API (api.groq.com) runs for gpt-oss models, and provider gpt-oss's model meta-llama/llama-4-maverick-17b-128e-instruct is not one`,
			groq.Supports(llama, api, "browser_search"), api)
		assert.Equal(t, `tool type "browser_search" is one Groq's API (api.groq.com) runs for gpt-oss models, and provider gpt-oss's base URL (api.openai.com) is OpenAI's API`,
			openAI.Supports(mini, api, "browser_search"), api)
		assert.Equal(t, `tool type "browser_search" is one Groq's API (api.groq.com) runs for gpt-oss models, and provider gpt-oss is an Azure OpenAI resource`,
			azure.Supports(mini, api, "browser_search"), api)
		assert.Equal(t, `tool type "browser_search" is one Groq's API (api.groq.com) runs for gpt-oss models, and provider gpt-oss's base URL (api.x.ai) is xAI's API`,
			xai.Supports(grok, api, "browser_search"), api)
		assert.Equal(t, `tool type "browser_search" is one Groq's API (api.groq.com) runs for gpt-oss models, and provider gpt-oss's base URL (10.0.0.5) is not Groq's API`+
			` (a server that runs it itself? declare it: "hosted_tools": ["browser_search"] in its providers entry, or MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=browser_search)`,
			own.Supports(oss, api, "browser_search"), api)
		assert.Empty(t, at("http://10.0.0.5:8000/v1", "browser_search").Supports(oss, api, "browser_search"), api)
		assert.Contains(t, at("http://10.0.0.5:8000/v1", "mcp").Supports(oss, api, "browser_search"),
			`its hosted_tools declaration (mcp) does not name it; does the server run it too? add "browser_search" to "hosted_tools"`, api)
		assert.Empty(t, openAI.Supports(mini, api, "some_new_tool"), "a type no provider is known to run is the server's to judge, as before")
	}

	assert.Empty(t, groq.Supports(oss, upstream.APIChatCompletions, "code_interpreter"))
	assert.Contains(t, openAI.Supports(mini, upstream.APIChatCompletions, "code_interpreter"),
		`tool type "code_interpreter" is one Groq's API (api.groq.com) runs for gpt-oss models`)
	assert.Empty(t, openAI.Supports(mini, upstream.APIResponses, "code_interpreter"), "OpenAI's own on Responses")

	assert.Empty(t, xai.Supports(grok, upstream.APIResponses, "x_search", "web_search"))
	assert.Equal(t, `tool type "x_search" is one xAI's API (api.x.ai) runs, and provider gpt-oss's base URL (api.openai.com) is OpenAI's API`,
		openAI.Supports(mini, upstream.APIResponses, "x_search"))
	assert.Equal(t, `tool type "x_search" is one xAI's API (api.x.ai) runs, and provider gpt-oss's base URL (api.groq.com) is Groq's API`,
		groq.Supports(oss, upstream.APIResponses, "x_search"))
	assert.Empty(t, at("http://10.0.0.5:8000/v1", "x_search").Supports(grok, upstream.APIResponses, "x_search"))

	assert.True(t, upstream.ProviderToolType(upstream.APIResponses, "x_search"))
	assert.False(t, upstream.ProviderToolType(upstream.APIResponses, "code_interpreter"), "OpenAI's own on Responses")
	assert.True(t, upstream.ProviderToolType(upstream.APIChatCompletions, "code_interpreter"))
	assert.True(t, upstream.DeclarableHostedTool("browser_search"))
	assert.True(t, upstream.DeclarableHostedTool("x_search"))
}
