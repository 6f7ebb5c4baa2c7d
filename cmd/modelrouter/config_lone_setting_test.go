package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A provider's _KIND and _API_VERSION are read only beside its own
// _BASE_URL. Set alone, or beside OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT or
// a file's entry, they used to change nothing without a word, while the
// operator thought the kind or version set: serve refuses to start, naming
// the variable and what to set.
func TestServeRefusesAKindOrAPIVersionWithoutItsBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		want       []string
	}{
		{"kind beside OPENAI_BASE_URL", "", []string{"OPENAI_BASE_URL=http://127.0.0.1:8000/v1", "MODELROUTER_UPSTREAM_OPENAI_KIND=anthropic"},
			[]string{"MODELROUTER_UPSTREAM_OPENAI_KIND: read only beside MODELROUTER_UPSTREAM_OPENAI_BASE_URL, which is not set",
				"the provider OPENAI_BASE_URL configures is always of kind openai: to give it another, set MODELROUTER_UPSTREAM_OPENAI_BASE_URL in its place"}},
		{"kind beside the file's entry", `{"providers": {"meta": {"base_url": "http://127.0.0.1:8000"}}}`, []string{"MODELROUTER_UPSTREAM_META_KIND=anthropic"},
			[]string{`MODELROUTER_UPSTREAM_META_KIND: read only beside MODELROUTER_UPSTREAM_META_BASE_URL, which is not set, so it would change nothing: set MODELROUTER_UPSTREAM_META_BASE_URL too, or write "kind" in the configuration file's entry`}},
		{"api version alone", "", []string{"MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION=2024-05-01-preview"},
			[]string{`MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION: read only beside MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL, which is not set, so it would change nothing: set MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL too, or write "api_version" in the configuration file's entry`}},
		{"api version beside AZURE_OPENAI_ENDPOINT", "", []string{"AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com", "AZURE_OPENAI_API_KEY=k",
			"MODELROUTER_UPSTREAM_AZURE_API_VERSION=2024-10-21"},
			[]string{"MODELROUTER_UPSTREAM_AZURE_API_VERSION: read only beside MODELROUTER_UPSTREAM_AZURE_BASE_URL", "(AZURE_OPENAI_ENDPOINT's is OPENAI_API_VERSION)"}},
		{"the default server's kind", "", []string{"MODELROUTER_UPSTREAM_DEFAULT_KIND=openai"},
			[]string{"MODELROUTER_UPSTREAM_DEFAULT_KIND: read only beside MODELROUTER_UPSTREAM_DEFAULT_BASE_URL, which is not set"}},
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

// Read, they start: beside their own _BASE_URL, named by the file as
// ${VAR}, or set empty (unset, as everywhere serve reads the environment).
func TestServeStartsWithAKindOrAPIVersionThatIsRead(t *testing.T) {
	_, err := parseServeArgs(nil, []string{"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:8000",
		"MODELROUTER_UPSTREAM_META_KIND=anthropic"}, io.Discard)
	require.NoError(t, err, "beside its base URL")

	o, err := parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"meta": {"base_url": "http://127.0.0.1:8000", "kind": "${MODELROUTER_UPSTREAM_META_KIND}"}}}`)},
		[]string{"MODELROUTER_UPSTREAM_META_KIND=anthropic"}, io.Discard)
	require.NoError(t, err, "the file reads it")
	assert.Equal(t, "anthropic", o.fileProviders.ByName["meta"].Kind)

	_, err = parseServeArgs(nil, []string{"MODELROUTER_UPSTREAM_META_KIND=", "MODELROUTER_UPSTREAM_META_API_VERSION= "}, io.Discard)
	require.NoError(t, err, "empty is unset")
}

// api_version is Azure's api-version query parameter: a provider of
// another kind never sends it, so one given it refuses to start rather
// than leave the operator to think the server gets it.
func TestServeRefusesAnAPIVersionForAProviderNotOfKindAzure(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		want       string
	}{
		{"in the file", `{"providers": {"meta": {"base_url": "http://127.0.0.1:8000/v1", "api_version": "2024-05-01-preview"}}}`, nil,
			"providers.meta.api_version: Azure's api-version, sent only to a provider of kind azure; this one is of kind openai and would never send it: remove it, or set providers.meta.kind to azure"},
		{"kind anthropic in the file", `{"providers": {"anthropic": {"api_key": "k", "api_version": "2023-06-01"}}}`, nil,
			"providers.anthropic.api_version: Azure's api-version, sent only to a provider of kind azure; this one is of kind anthropic"},
		{"the file's default server", `{"providers": {"default": {"base_url": "http://127.0.0.1:8000/v1", "api_version": "2024-10-21"}}}`, nil,
			"providers.default.api_version: Azure's api-version, sent only to a provider of kind azure; this one is of kind openai and would never send it: remove it (the default server is of kind openai)"},
		{"in the environment", "", []string{"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:8000/v1", "MODELROUTER_UPSTREAM_META_API_VERSION=2024-05-01-preview"},
			"MODELROUTER_UPSTREAM_META_API_VERSION: Azure's api-version, sent only to a provider of kind azure; this one is of kind openai and would never send it: remove it, or set MODELROUTER_UPSTREAM_META_KIND to azure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", writeConfig(t, tc.file)}
			}
			_, err := parseServeArgs(args, tc.environ, io.Discard)
			require.Error(t, err)
			assert.ErrorContains(t, err, tc.want)
			assert.NotContains(t, err.Error(), "2024-", "the value is not shown: it may be a key put there")
		})
	}

	_, err := parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"azure": {"base_url": "https://r.openai.azure.com", "api_key": "k", "api_version": "2024-10-21"},
		  "meta": {"kind": "azure", "base_url": "https://m.openai.azure.com", "api_key": "k", "api_version": "2024-10-21"}}}`)},
		[]string{"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=https://g.openai.azure.com", "MODELROUTER_UPSTREAM_GPT_OSS_KIND=azure",
			"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY=k", "MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION=2024-10-21"}, io.Discard)
	require.NoError(t, err, "kind azure reads it")
}
