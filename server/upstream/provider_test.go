package upstream_test

import (
	"net/http"

	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want map[string]upstream.Provider
	}{
		{"nothing set", nil, map[string]upstream.Provider{}},
		{
			"openai key uses the SDK default base URL",
			map[string]string{"OPENAI_API_KEY": "sk-1"},
			map[string]upstream.Provider{"openai": {Name: "openai", Kind: "openai", BaseURL: "https://api.openai.com/v1", APIKey: "sk-1"}},
		},
		{
			"base URL without key (local server), trailing slash trimmed",
			map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:8000/v1/"},
			map[string]upstream.Provider{"openai": {Name: "openai", Kind: "openai", BaseURL: "http://127.0.0.1:8000/v1"}},
		},
		{
			"anthropic, deepseek and xai",
			map[string]string{"ANTHROPIC_API_KEY": "a", "DEEPSEEK_API_KEY": "d", "XAI_API_KEY": "x", "XAI_BASE_URL": "http://x.test/v1"},
			map[string]upstream.Provider{
				"anthropic": {Name: "anthropic", Kind: "anthropic", BaseURL: "https://api.anthropic.com", APIKey: "a"},
				"deepseek":  {Name: "deepseek", Kind: "openai", BaseURL: "https://api.deepseek.com", APIKey: "d"},
				"xai":       {Name: "xai", Kind: "openai", BaseURL: "http://x.test/v1", APIKey: "x"},
			},
		},
		{
			"azure with default api version",
			map[string]string{"AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com/", "AZURE_OPENAI_API_KEY": "az"},
			map[string]upstream.Provider{"azure": {Name: "azure", Kind: "azure", BaseURL: "https://r.openai.azure.com", APIKey: "az", APIVersion: upstream.DefaultAzureAPIVersion}},
		},
		{
			"azure with explicit api version",
			map[string]string{"AZURE_OPENAI_ENDPOINT": "https://r", "OPENAI_API_VERSION": "2025-04-01-preview"},
			map[string]upstream.Provider{"azure": {Name: "azure", Kind: "azure", BaseURL: "https://r", APIVersion: "2025-04-01-preview"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := upstream.FromEnv(envOf(tt.env))
			assert.Equal(t, tt.want, ps.ByName)
			assert.Nil(t, ps.Default)
		})
	}
}

func TestFromEnvironGenericAndDefault(t *testing.T) {
	ps := upstream.FromEnviron([]string{
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:11434/v1",
		"MODELROUTER_UPSTREAM_MISTRAL_AI_BASE_URL=http://m/v1",
		"MODELROUTER_UPSTREAM_MISTRAL_AI_API_KEY=mk",
		"MODELROUTER_UPSTREAM_CLAUDEPROXY_BASE_URL=http://c",
		"MODELROUTER_UPSTREAM_CLAUDEPROXY_KIND=anthropic",
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://vllm:8000/v1",
		"PATH=/usr/bin",
	})
	assert.Equal(t, upstream.Provider{Name: "meta", Kind: "openai", BaseURL: "http://127.0.0.1:11434/v1"}, ps.ByName["meta"])
	assert.Equal(t, upstream.Provider{Name: "mistral-ai", Kind: "openai", BaseURL: "http://m/v1", APIKey: "mk"}, ps.ByName["mistral-ai"])
	assert.Equal(t, "anthropic", ps.ByName["claudeproxy"].Kind)
	require.NotNil(t, ps.Default)
	assert.Equal(t, "http://vllm:8000/v1", ps.Default.BaseURL)
	assert.NotContains(t, ps.ByName, "default")
}

func TestResolveAndAvailable(t *testing.T) {
	gpt := router.Model{ID: "gpt-4.1-2025-04-14", Name: "gpt-4.1", Provider: "openai"}
	claude := router.Model{ID: "claude-x", Name: "claude-x", Provider: "anthropic"}
	llama := router.Model{ID: "llama", Name: "llama", Provider: "meta"}
	tests := []struct {
		name     string
		env      map[string]string
		model    router.Model
		provider string // "" when unavailable
		reason   string
	}{
		{"openai configured", map[string]string{"OPENAI_API_KEY": "k"}, gpt, "openai", ""},
		{"openai model served by azure", map[string]string{"AZURE_OPENAI_ENDPOINT": "https://r"}, gpt, "azure", ""},
		{"nothing configured names the variable", nil, claude, "", "provider anthropic not configured: set ANTHROPIC_API_KEY"},
		{"openai hint mentions azure", nil, gpt, "", "provider openai not configured: set OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY)"},
		{"generic provider hint", nil, llama, "", "provider meta not configured: set MODELROUTER_UPSTREAM_META_BASE_URL"},
		{"default serves the rest", map[string]string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL": "http://d/v1"}, claude, "default", ""},
		{"model without provider", nil, router.Model{ID: "x"}, "", "model x names no provider: set MODELROUTER_UPSTREAM_DEFAULT_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := upstream.FromEnv(envOf(tt.env))
			p, ok := ps.Resolve(tt.model)
			assert.Equal(t, tt.provider != "", ok)
			assert.Equal(t, tt.provider, p.Name)
			assert.Equal(t, tt.reason, ps.Available(tt.model))
		})
	}
}

func TestSupports(t *testing.T) {
	ps := upstream.FromEnv(envOf(map[string]string{"ANTHROPIC_API_KEY": "a", "OPENAI_API_KEY": "o"}))
	claude := router.Model{ID: "claude-x", Provider: "anthropic"}
	gpt := router.Model{ID: "gpt", Provider: "openai"}
	assert.Empty(t, ps.Supports(claude, upstream.APIResponses), "translated, as Chat Completions is")
	assert.Empty(t, ps.Supports(claude, upstream.APIResponses, "function"))
	assert.Equal(t, `provider anthropic cannot carry tool type "web_search_preview"`,
		ps.Supports(claude, upstream.APIResponses, "function", "web_search_preview"))
	assert.Equal(t, `provider anthropic cannot carry tool type "mcp"`, ps.Supports(claude, upstream.APIResponses, "mcp"))
	assert.Empty(t, ps.Supports(gpt, upstream.APIResponses, "web_search_preview", "mcp"))
	assert.Empty(t, ps.Supports(claude, upstream.APIChatCompletions))
	assert.Empty(t, ps.Supports(gpt, upstream.APIResponses))
	assert.Empty(t, ps.Supports(claude, upstream.APIChatCompletions, "function"))
	assert.Equal(t, `provider anthropic cannot carry tool type "web_search_preview"`,
		ps.Supports(claude, upstream.APIChatCompletions, "function", "web_search_preview"))
	assert.Equal(t, `provider anthropic cannot carry tool type "custom"`, ps.Supports(claude, upstream.APIChatCompletions, "custom"))
	assert.Empty(t, ps.Supports(gpt, upstream.APIChatCompletions, "web_search_preview", "custom"))

	// What only the client's own API carries.
	prev := upstream.ContentPrefix + "previous_response_id"
	assert.Equal(t, "provider anthropic cannot carry previous_response_id", ps.Supports(claude, upstream.APIResponses, "function", prev))
	assert.Empty(t, ps.Supports(gpt, upstream.APIResponses, prev), "OpenAI stores responses")
	doc := upstream.ContentPrefix + "document blocks"
	assert.Equal(t, "provider openai cannot carry document blocks", ps.Supports(gpt, upstream.APIMessages, "custom", doc))
	assert.Empty(t, ps.Supports(claude, upstream.APIMessages, doc, "web_search_20250305"))

	// A Messages call's JSON schema output: Claude takes it, a translated
	// model only with structured output.
	need := upstream.NeedStructuredOutput
	structured := router.Model{ID: "gpt-s", Provider: "openai", Capabilities: router.Capabilities{StructuredOutput: true}}
	assert.Empty(t, ps.Supports(claude, upstream.APIMessages, need))
	assert.Empty(t, ps.Supports(structured, upstream.APIMessages, "custom", need))
	assert.Equal(t, "no structured output support", ps.Supports(gpt, upstream.APIMessages, "custom", need))
}

func TestKeysNeverPrinted(t *testing.T) {
	const secret = "sk-very-secret-key-123"
	ps := upstream.FromEnviron([]string{
		"OPENAI_API_KEY=" + secret, "ANTHROPIC_API_KEY=" + secret,
		"AZURE_OPENAI_ENDPOINT=https://r", "AZURE_OPENAI_API_KEY=" + secret,
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://m", "MODELROUTER_UPSTREAM_META_API_KEY=" + secret,
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://d", "MODELROUTER_UPSTREAM_DEFAULT_API_KEY=" + secret,
	})
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, ps) + fmt.Sprintf(format, ps.ByName["openai"]) + fmt.Sprintf(format, *ps.Default)
		assert.NotContains(t, out, secret, format)
		assert.Contains(t, out, "key set", format)
	}
}

// TestOutcomeSaysWhetherTheAnswerWasTranslated: only an answer in the
// provider's own API is stored at the provider under its id.
func TestOutcomeSaysWhetherTheAnswerWasTranslated(t *testing.T) {
	f := newFakes(t)
	bodies := map[upstream.API]string{
		upstream.APIChatCompletions: `{"model":"router","messages":[{"role":"user","content":"hi"}]}`,
		upstream.APIResponses:       `{"model":"router","input":"hi"}`,
		upstream.APIMessages:        `{"model":"router","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`,
	}
	tests := []struct {
		api        upstream.API
		model      router.Model
		translated bool
	}{
		{upstream.APIChatCompletions, openAIModel("gpt-x"), false},
		{upstream.APIResponses, openAIModel("gpt-x"), false},
		{upstream.APIMessages, openAIModel("gpt-x"), true},
		{upstream.APIChatCompletions, anthropicModel("claude-x"), true},
		{upstream.APIResponses, anthropicModel("claude-x"), true},
		{upstream.APIMessages, anthropicModel("claude-x"), false},
	}
	for _, tt := range tests {
		t.Run(string(tt.api)+"/"+tt.model.Provider, func(t *testing.T) {
			g := newGateway(t, f.fwd, tt.api, tt.model)
			status, _, body := g.post(t, "/", bodies[tt.api])
			require.Equal(t, http.StatusOK, status, "%s", body)
			out := g.outcome(t)
			require.Equal(t, tt.model.ID, out.Answered.ID)
			assert.Equal(t, tt.translated, out.Translated)
		})
	}
}

// A _KIND that names no kind is kept as given, for serve to refuse at
// start; read as openai, a typo would send every call in the wrong
// protocol. The default server's kind is kept too (serve insists on
// openai).
func TestFromEnvironKeepsAnUnknownKindForValidation(t *testing.T) {
	ps := upstream.FromEnviron([]string{
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://m", "MODELROUTER_UPSTREAM_META_KIND=Antropic",
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://d", "MODELROUTER_UPSTREAM_DEFAULT_KIND=anthropic",
	})
	assert.Equal(t, "antropic", ps.ByName["meta"].Kind)
	require.NotNil(t, ps.Default)
	assert.Equal(t, "anthropic", ps.Default.Kind)

	base, kind := upstream.EnvSettings(func(string) string { return "" }, "azure")
	assert.Equal(t, "AZURE_OPENAI_ENDPOINT", base)
	assert.Empty(t, kind, "the Azure variables fix the kind")
	base, kind = upstream.EnvSettings(func(string) string { return "" }, "gpt-oss")
	assert.Equal(t, "MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL", base)
	assert.Equal(t, "MODELROUTER_UPSTREAM_GPT_OSS_KIND", kind)
}
