package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A base URL at a proxy in front of OpenAI's API (LiteLLM, an egress
// proxy, an AI gateway) looks by its host like a server of one's own; the
// file's "openai_api": true and MODELROUTER_UPSTREAM_<NAME>_OPENAI_API=true
// say it reaches OpenAI's API, for the openai provider and the default
// server alike.
func TestOpenAIAPIDeclaresAProxyBaseURLAWayToOpenAIsAPI(t *testing.T) {
	o, err := parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"openai": {"base_url": "https://llm-proxy.corp.example/v1", "openai_api": true}}}`)}, nil, io.Discard)
	require.NoError(t, err)
	assert.True(t, o.fileProviders.ByName["openai"].OpenAIAPI, "the file's openai_api")

	environ := []string{
		"OPENAI_BASE_URL=https://llm-proxy.corp.example/v1", "MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=true",
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=https://gateway.example/v1", "MODELROUTER_UPSTREAM_DEFAULT_OPENAI_API=TRUE",
	}
	_, err = parseServeArgs(nil, environ, io.Discard)
	require.NoError(t, err, "a declaration that applies starts")
	env := upstream.FromEnviron(environ)
	assert.True(t, env.ByName["openai"].OpenAIAPI, "OPENAI_BASE_URL's")
	require.NotNil(t, env.Default)
	assert.True(t, env.Default.OpenAIAPI, "the default server's")

	plain := upstream.FromEnviron([]string{"OPENAI_BASE_URL=http://127.0.0.1:11434/v1"})
	assert.False(t, plain.ByName["openai"].OpenAIAPI, "undeclared, a base URL elsewhere is a server of your own")
}

// A declaration that cannot mean anything refuses to start, naming the
// setting, as a bad kind does: a value that is no boolean, a provider
// that serves no OpenAI model or speaks another protocol, and a variable
// for a provider the environment does not configure (it would leave the
// file's entry undeclared without a word).
func TestServeRefusesAnOpenAIAPIDeclarationThatCannotApply(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		want       string
	}{
		{"not a boolean", "", []string{"OPENAI_BASE_URL=https://p.example/v1", "MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=yes"},
			`MODELROUTER_UPSTREAM_OPENAI_OPENAI_API "yes": want true or false`},
		{"not a boolean in the file", `{"providers": {"openai": {"base_url": "https://p.example/v1", "openai_api": "yes"}}}`, nil,
			`providers.openai.openai_api: want true or false, got a string`},
		{"another provider in the file", `{"providers": {"meta": {"base_url": "http://127.0.0.1:8000/v1", "openai_api": true}}}`, nil,
			"providers.meta.openai_api: only the openai provider and the default server"},
		{"another provider in the environment", "", []string{"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:8000/v1", "MODELROUTER_UPSTREAM_META_OPENAI_API=true"},
			"MODELROUTER_UPSTREAM_META_OPENAI_API: only the openai provider and the default server"},
		{"another kind", `{"providers": {"openai": {"kind": "anthropic", "base_url": "https://p.example", "openai_api": true}}}`, nil,
			"providers.openai.openai_api: a provider of kind anthropic does not speak OpenAI's API"},
		{"kind azure in the file", `{"providers": {"openai": {"kind": "azure", "base_url": "https://r.openai.azure.com", "api_key": "k", "openai_api": true}}}`, nil,
			"providers.openai.openai_api: a provider of kind azure does not speak OpenAI's API"},
		{"another kind in the environment", "", []string{"MODELROUTER_UPSTREAM_OPENAI_BASE_URL=https://p.example",
			"MODELROUTER_UPSTREAM_OPENAI_KIND=anthropic", "MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=true"},
			"MODELROUTER_UPSTREAM_OPENAI_OPENAI_API: a provider of kind anthropic does not speak OpenAI's API"},
		{"kind azure in the environment", "", []string{"MODELROUTER_UPSTREAM_OPENAI_BASE_URL=https://r.openai.azure.com",
			"MODELROUTER_UPSTREAM_OPENAI_KIND=Azure", "MODELROUTER_UPSTREAM_OPENAI_API_KEY=k", "MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=true"},
			"MODELROUTER_UPSTREAM_OPENAI_OPENAI_API: a provider of kind azure does not speak OpenAI's API"},
		{"the azure provider", "", []string{"AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com", "AZURE_OPENAI_API_KEY=k",
			"MODELROUTER_UPSTREAM_AZURE_OPENAI_API=true"},
			"MODELROUTER_UPSTREAM_AZURE_OPENAI_API: only the openai provider and the default server"},
		{"the anthropic provider", "", []string{"ANTHROPIC_API_KEY=k", "MODELROUTER_UPSTREAM_ANTHROPIC_OPENAI_API=true"},
			"MODELROUTER_UPSTREAM_ANTHROPIC_OPENAI_API: only the openai provider and the default server"},
		{"no provider in the environment", `{"providers": {"openai": {"base_url": "https://p.example/v1"}}}`, []string{"MODELROUTER_UPSTREAM_OPENAI_OPENAI_API=true"},
			"MODELROUTER_UPSTREAM_OPENAI_OPENAI_API: the environment configures no provider openai: set OPENAI_BASE_URL too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", writeConfig(t, tc.file)}
			}
			_, err := parseServeArgs(args, tc.environ, io.Discard)
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}
