package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unreadWhy is why o found setting unread, "" when it did not.
func unreadWhy(o serveOptions, setting string) string {
	for _, s := range o.unreadSettings {
		if s.name == setting {
			return s.why
		}
	}
	return ""
}

// A provider's _KIND and _API_VERSION are read only beside its own
// _BASE_URL. Set alone, or beside OPENAI_BASE_URL, AZURE_OPENAI_ENDPOINT or
// a file's entry, they change nothing: serve says so at start, naming the
// variable and what to set. It starts: releases before it ignored them
// without a word, and a deployment that ran must still start after an
// upgrade.
func TestServeWarnsOfAKindOrAPIVersionWithoutItsBaseURL(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		setting    string
		want       []string
	}{
		{"kind beside OPENAI_BASE_URL", "", []string{"OPENAI_BASE_URL=http://127.0.0.1:8000/v1", "MODELROUTER_UPSTREAM_OPENAI_KIND=anthropic"},
			"MODELROUTER_UPSTREAM_OPENAI_KIND",
			[]string{"read only beside MODELROUTER_UPSTREAM_OPENAI_BASE_URL, which is not set",
				"the provider OPENAI_BASE_URL configures is always of kind openai: to give it another, set MODELROUTER_UPSTREAM_OPENAI_BASE_URL in its place"}},
		{"kind beside the file's entry", `{"providers": {"meta": {"base_url": "http://127.0.0.1:8000"}}}`, []string{"MODELROUTER_UPSTREAM_META_KIND=anthropic"},
			"MODELROUTER_UPSTREAM_META_KIND",
			[]string{`read only beside MODELROUTER_UPSTREAM_META_BASE_URL, which is not set, so it changes nothing: set MODELROUTER_UPSTREAM_META_BASE_URL too, or write "kind" in the configuration file's entry`}},
		{"api version alone", "", []string{"MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION=2024-05-01-preview"},
			"MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION",
			[]string{`read only beside MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL, which is not set, so it changes nothing: set MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL too, or write "api_version" in the configuration file's entry`}},
		{"api version beside AZURE_OPENAI_ENDPOINT", "", []string{"AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com", "AZURE_OPENAI_API_KEY=k",
			"MODELROUTER_UPSTREAM_AZURE_API_VERSION=2024-10-21"},
			"MODELROUTER_UPSTREAM_AZURE_API_VERSION",
			[]string{"read only beside MODELROUTER_UPSTREAM_AZURE_BASE_URL", "(AZURE_OPENAI_ENDPOINT's is OPENAI_API_VERSION)"}},
		{"the default server's kind", "", []string{"MODELROUTER_UPSTREAM_DEFAULT_KIND=openai"},
			"MODELROUTER_UPSTREAM_DEFAULT_KIND",
			[]string{"read only beside MODELROUTER_UPSTREAM_DEFAULT_BASE_URL, which is not set"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", writeConfig(t, tc.file)}
			}
			o, err := parseServeArgs(args, tc.environ, io.Discard)
			require.NoError(t, err, "it changed nothing before serve checked it: a deployment that ran still starts")
			for _, want := range tc.want {
				assert.Contains(t, unreadWhy(o, tc.setting), want)
			}
		})
	}

	log := startupLog(t, []string{"MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION=" + testSecret})
	assert.Contains(t, log, `msg="setting not used" setting=MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION why="read only beside MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL`)
	assert.NotContains(t, log, testSecret, "the value is not shown: it may be a key put there")
}

// Read, they say nothing: beside their own _BASE_URL, named by the file as
// ${VAR}, or set empty (unset, as everywhere serve reads the environment).
func TestServeStartsWithAKindOrAPIVersionThatIsRead(t *testing.T) {
	o, err := parseServeArgs(nil, []string{"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:8000",
		"MODELROUTER_UPSTREAM_META_KIND=anthropic"}, io.Discard)
	require.NoError(t, err, "beside its base URL")
	assert.Empty(t, o.unreadSettings)

	o, err = parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"meta": {"base_url": "http://127.0.0.1:8000", "kind": "${MODELROUTER_UPSTREAM_META_KIND}"}}}`)},
		[]string{"MODELROUTER_UPSTREAM_META_KIND=anthropic"}, io.Discard)
	require.NoError(t, err, "the file reads it")
	assert.Equal(t, "anthropic", o.fileProviders.ByName["meta"].Kind)
	assert.Empty(t, o.unreadSettings)

	o, err = parseServeArgs(nil, []string{"MODELROUTER_UPSTREAM_META_KIND=", "MODELROUTER_UPSTREAM_META_API_VERSION= "}, io.Discard)
	require.NoError(t, err, "empty is unset")
	assert.Empty(t, o.unreadSettings)
}

// api_version is Azure's api-version query parameter: a provider of
// another kind never sends it. serve says so at start, naming the setting,
// and starts: releases before it accepted the setting without a word
// (an entry for Azure's v1 routes of kind openai, api_version left from
// before), and the deployment ran as it does now.
func TestServeWarnsOfAnAPIVersionForAProviderNotOfKindAzure(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		environ    []string
		setting    string
		want       string
	}{
		{"in the file", `{"providers": {"meta": {"base_url": "http://127.0.0.1:8000/v1", "api_version": "2024-05-01-preview"}}}`, nil,
			"providers.meta.api_version", "Azure's api-version, sent only to a provider of kind azure; this one is of kind openai and never sends it: remove it, or set providers.meta.kind to azure"},
		{"kind anthropic in the file", `{"providers": {"anthropic": {"api_key": "k", "api_version": "2023-06-01"}}}`, nil,
			"providers.anthropic.api_version", "Azure's api-version, sent only to a provider of kind azure; this one is of kind anthropic"},
		{"the file's default server", `{"providers": {"default": {"base_url": "http://127.0.0.1:8000/v1", "api_version": "2024-10-21"}}}`, nil,
			"providers.default.api_version", "Azure's api-version, sent only to a provider of kind azure; this one is of kind openai and never sends it: remove it (the default server is of kind openai)"},
		{"in the environment", "", []string{"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:8000/v1", "MODELROUTER_UPSTREAM_META_API_VERSION=2024-05-01-preview"},
			"MODELROUTER_UPSTREAM_META_API_VERSION", "Azure's api-version, sent only to a provider of kind azure; this one is of kind openai and never sends it: remove it, or set MODELROUTER_UPSTREAM_META_KIND to azure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.file != "" {
				args = []string{"--config", writeConfig(t, tc.file)}
			}
			o, err := parseServeArgs(args, tc.environ, io.Discard)
			require.NoError(t, err, "it changed nothing before serve checked it: a deployment that ran still starts")
			assert.Contains(t, unreadWhy(o, tc.setting), tc.want)
			assert.NotContains(t, unreadWhy(o, tc.setting), "2024-", "the value is not shown: it may be a key put there")
		})
	}

	o, err := parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"azure": {"base_url": "https://r.openai.azure.com", "api_key": "k", "api_version": "2024-10-21"},
		  "meta": {"kind": "azure", "base_url": "https://m.openai.azure.com", "api_key": "k", "api_version": "2024-10-21"}}}`)},
		[]string{"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=https://g.openai.azure.com", "MODELROUTER_UPSTREAM_GPT_OSS_KIND=azure",
			"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY=k", "MODELROUTER_UPSTREAM_GPT_OSS_API_VERSION=2024-10-21"}, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, o.unreadSettings, "kind azure reads it")
}
