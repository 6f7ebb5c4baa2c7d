package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A server of one's own that runs some of the tools OpenAI's platform runs
// (vLLM or SGLang started with a tool server) is declared so by the
// file's "hosted_tools" or MODELROUTER_UPSTREAM_<NAME>_HOSTED_TOOLS, a
// comma-separated list, for any provider of kind openai.
func TestHostedToolsDeclaresWhatAServerOfYourOwnRuns(t *testing.T) {
	o, err := parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"gpt-oss": {"base_url": "http://10.0.0.5:8000/v1", "hosted_tools": ["web_search_preview", " code_interpreter", "mcp"]}}}`)}, nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []string{"web_search_preview", "code_interpreter", "mcp"}, o.fileProviders.ByName["gpt-oss"].HostedTools)

	environ := []string{
		"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=http://10.0.0.5:8000/v1", "MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=web_search_preview,mcp",
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://10.0.0.6:30000/v1", "MODELROUTER_UPSTREAM_DEFAULT_HOSTED_TOOLS=web_search",
	}
	_, err = parseServeArgs(nil, environ, io.Discard)
	require.NoError(t, err, "a declaration that applies starts")
	env := upstream.FromEnviron(environ)
	assert.Equal(t, []string{"web_search_preview", "mcp"}, env.ByName["gpt-oss"].HostedTools)
	require.NotNil(t, env.Default)
	assert.Equal(t, []string{"web_search"}, env.Default.HostedTools)
}

// A declaration that cannot mean anything refuses to start, naming the
// setting: a name that is no hosted tool type (a typo
// would leave the call refused without a word at start), a value that is
// no list, a provider of another kind, and a variable for a provider the
// environment does not configure.
func TestServeRefusesAHostedToolsDeclarationThatCannotApply(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		want       string
	}{
		{"an unknown type in the file", `{"providers": {"gpt-oss": {"base_url": "http://10.0.0.5:8000/v1", "hosted_tools": ["web_serch", "mcp"]}}}`, nil,
			`providers.gpt-oss.hosted_tools "web_serch": not a hosted tool type; valid: web_search, web_search_preview, file_search, code_interpreter, image_generation, mcp, browser_search, x_search`},
		{"an unknown type in the environment", "", []string{"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=http://10.0.0.5:8000/v1",
			"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=web_search_preview,browser,python"},
			`MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS "browser", "python": not a hosted tool type`},
		{"a dated type", "", []string{"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=http://10.0.0.5:8000/v1",
			"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=web_search_preview_2025_03_11"},
			`a dated name, such as web_search_preview_2025_03_11, is declared by its undated one`},
		{"a key put there", "", []string{"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=http://10.0.0.5:8000/v1",
			"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=" + testSecret},
			`MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS (not shown: it may be a key): not a hosted tool type`},
		{"true in the file", `{"providers": {"gpt-oss": {"base_url": "http://10.0.0.5:8000/v1", "hosted_tools": true}}}`, nil,
			`providers.gpt-oss.hosted_tools: want an array`},
		{"kind anthropic in the file", `{"providers": {"anthropic": {"base_url": "http://10.0.0.5:8000", "hosted_tools": ["web_search"]}}}`, nil,
			"providers.anthropic.hosted_tools: a provider of kind anthropic is not held to the declaration"},
		{"kind azure in the file", `{"providers": {"azure": {"base_url": "https://r.openai.azure.com", "api_key": "k", "hosted_tools": ["mcp"]}}}`, nil,
			"providers.azure.hosted_tools: a provider of kind azure is not held to the declaration"},
		{"kind anthropic in the environment", "", []string{"ANTHROPIC_API_KEY=k", "MODELROUTER_UPSTREAM_ANTHROPIC_HOSTED_TOOLS=web_search"},
			"MODELROUTER_UPSTREAM_ANTHROPIC_HOSTED_TOOLS: a provider of kind anthropic is not held to the declaration"},
		{"kind azure in the environment", "", []string{"MODELROUTER_UPSTREAM_META_BASE_URL=https://r.openai.azure.com",
			"MODELROUTER_UPSTREAM_META_KIND=azure", "MODELROUTER_UPSTREAM_META_API_KEY=k", "MODELROUTER_UPSTREAM_META_HOSTED_TOOLS=mcp"},
			"MODELROUTER_UPSTREAM_META_HOSTED_TOOLS: a provider of kind azure is not held to the declaration"},
		{"no provider in the environment", `{"providers": {"gpt-oss": {"base_url": "http://10.0.0.5:8000/v1"}}}`,
			[]string{"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=mcp"},
			"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS: the environment configures no provider gpt-oss: set MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", writeConfig(t, tc.file)}
			}
			_, err := parseServeArgs(args, tc.environ, io.Discard)
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}
