package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A provider entry that points at a provider's own API (its default base
// URL, or an Azure endpoint) with no key would start and then answer every
// call with the provider's 401, reported as the gateway's key refused.
// serve refuses it at start instead, naming the setting and the
// environment variable that would hold the key.
func TestServeRefusesAProvidersOwnAPIWithoutAKey(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		want       []string
	}{
		{"empty openai entry", `{"providers": {"openai": {}}}`, nil,
			[]string{"providers.openai.api_key: no key", "https://api.openai.com/v1", `"api_key": "${OPENAI_API_KEY}"`}},
		{"empty api_key", `{"providers": {"openai": {"api_key": ""}}}`, nil,
			[]string{"providers.openai.api_key: no key", "OPENAI_API_KEY"}},
		{"empty anthropic entry", `{"providers": {"anthropic": {"api_key": " "}}}`, nil,
			[]string{"providers.anthropic.api_key: no key", "https://api.anthropic.com", "ANTHROPIC_API_KEY"}},
		{"azure endpoint without a key", `{"providers": {"azure": {"base_url": "https://my-resource.openai.azure.com"}}}`, nil,
			[]string{"providers.azure.api_key: no key", "https://my-resource.openai.azure.com", "AZURE_OPENAI_API_KEY"}},
		{"azure endpoint from the environment without its key", "", []string{"AZURE_OPENAI_ENDPOINT=https://my-resource.openai.azure.com"},
			[]string{"AZURE_OPENAI_API_KEY (provider azure): no key", "set AZURE_OPENAI_API_KEY"}},
		// OpenAI's data residency hosts answer a call without a key as
		// api.openai.com does.
		{"openai entry at OpenAI's European host", `{"providers": {"openai": {"base_url": "https://eu.api.openai.com/v1"}}}`, nil,
			[]string{"providers.openai.api_key: no key", "https://eu.api.openai.com/v1", "OPENAI_API_KEY"}},
		{"OPENAI_BASE_URL at OpenAI's Japanese host", "", []string{"OPENAI_BASE_URL=https://jp.api.openai.com/v1"},
			[]string{"OPENAI_API_KEY (provider openai): no key", "https://jp.api.openai.com/v1", "set OPENAI_API_KEY"}},
		{"default server at OpenAI's US host", "", []string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=https://us.api.openai.com/v1"},
			[]string{"MODELROUTER_UPSTREAM_DEFAULT_API_KEY (provider default): no key", "set MODELROUTER_UPSTREAM_DEFAULT_API_KEY"}},
		// Groq's API takes calls with a Groq key only.
		{"gpt-oss at Groq's API without its key", "", []string{"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=https://api.groq.com/openai/v1"},
			[]string{"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY (provider gpt-oss): no key", "https://api.groq.com/openai/v1 is the provider's own API", "set MODELROUTER_UPSTREAM_GPT_OSS_API_KEY"}},
		{"a meta entry at Groq's API without a key", `{"providers": {"meta": {"base_url": "https://api.groq.com/openai/v1"}}}`, nil,
			[]string{"providers.meta.api_key: no key", "https://api.groq.com/openai/v1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", writeConfig(t, tc.file)}
			}
			_, err := parseServeArgs(args, tc.environ, io.Discard)
			require.Error(t, err)
			for _, want := range tc.want {
				assert.ErrorContains(t, err, want)
			}
		})
	}
}

// A server of the operator's own (vLLM, Ollama) often takes no key, so a
// custom base URL without one still starts; so does an empty file entry
// that the environment's key replaces.
func TestServeStartsWithoutAKeyWhereNoneIsNeeded(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
	}{
		{"local server for a catalog provider", `{"providers": {"meta": {"base_url": "http://127.0.0.1:11434/v1"}}}`, nil},
		{"local server in place of openai", `{"providers": {"openai": {"base_url": "http://127.0.0.1:8000/v1"}}}`, nil},
		{"default server", `{"providers": {"default": {"base_url": "http://127.0.0.1:8000/v1"}}}`, nil},
		{"empty entry the environment replaces", `{"providers": {"openai": {}}}`, []string{"OPENAI_API_KEY=" + testSecret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseServeArgs([]string{"--config", writeConfig(t, tc.file)}, tc.environ, io.Discard)
			assert.NoError(t, err)
		})
	}
	_, err := parseServeArgs(nil, []string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://127.0.0.1:11434/v1"}, io.Discard)
	assert.NoError(t, err, "a local server from the environment needs no key")
}
