package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A variable serve does not read as it is set used to change nothing
// without a word: a misspelt MODELROUTER_ variable, a provider's key
// without its base URL, Azure's key or version without its endpoint. The
// startup log names each (never its value), once.
func TestServeWarnsOfEnvironmentVariablesItDoesNotRead(t *testing.T) {
	log := startupLog(t, []string{
		"MODELROUTER_ADMINKEY=" + testSecret, "MODELROUTER_UPSTREAM_META_BASEURL=http://127.0.0.1:8000/v1",
		"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY=" + testSecret,
		"AZURE_OPENAI_API_KEY=" + testSecret, "OPENAI_API_VERSION=2024-10-21",
	})
	assert.Contains(t, log, `msg="environment variables modelrouter does not read (misspelt?): not used" variables=MODELROUTER_ADMINKEY,MODELROUTER_UPSTREAM_META_BASEURL`)
	for _, want := range []string{
		"variable=MODELROUTER_UPSTREAM_GPT_OSS_API_KEY needs=MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL",
		"variable=AZURE_OPENAI_API_KEY needs=AZURE_OPENAI_ENDPOINT",
		"variable=OPENAI_API_VERSION needs=AZURE_OPENAI_ENDPOINT",
	} {
		assert.Contains(t, log, `msg="environment variable not used: it is read only beside another, which is not set" `+want)
	}
	assert.NotContains(t, log, testSecret)
}

// What serve reads says nothing: its own variables, those of
// modelrouter's other commands and benchmarks, a key beside its base URL
// or endpoint, and any variable the configuration file names as ${VAR}.
// A key given as VAR_FILE is named by that variable.
func TestServeDoesNotWarnOfEnvironmentVariablesItReads(t *testing.T) {
	used := []string{
		"MODELROUTER_ADMIN_KEY=" + testSecret, "MODELROUTER_METRICS_KEY=" + testSecret + "-metrics",
		"MODELROUTER_URL=http://127.0.0.1:8080", "MODELROUTER_DATA=/data", "MODELROUTER_LOAD=1", "MODELROUTER_LOAD_FOR=10s",
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:8000/v1", "MODELROUTER_UPSTREAM_META_API_KEY=" + testSecret,
		"AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com", "AZURE_OPENAI_API_KEY=" + testSecret, "OPENAI_API_VERSION=2024-10-21",
		"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY=", // empty is unset
	}
	o, err := parseServeArgs(nil, used, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, unusedEnv(o))

	o, err = parseServeArgs([]string{"--config", writeConfig(t,
		`{"providers": {"gpt-oss": {"base_url": "http://127.0.0.1:8001/v1", "api_key": "${MODELROUTER_UPSTREAM_GPT_OSS_API_KEY}"}}, "admin_key": "${MODELROUTER_OWN_ADMIN}"}`)},
		[]string{"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY=" + testSecret, "MODELROUTER_OWN_ADMIN=" + testSecret}, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, unusedEnv(o), "the file reads them")

	o, err = parseServeArgs(nil, []string{"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY_FILE=" + writeSecret(t, testSecret)}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []unusedVariable{{"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY_FILE", "MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL"}}, unusedEnv(o))
}

// A provider the environment configures replaces the file's entry of the
// same name whole: a shell that exports OPENAI_API_KEY sent every call to
// api.openai.com while the file pointed openai at a local server, without
// a word. serve says so at start, naming the entry and the variables; an
// entry the environment gives again says nothing.
func TestServeWarnsThatTheEnvironmentReplacesAFileEntry(t *testing.T) {
	cfg := writeConfig(t, `{"providers": {"openai": {"base_url": "http://127.0.0.1:8000/v1"},
		"anthropic": {"api_key": "${ANTHROPIC_API_KEY}"}, "meta": {"base_url": "http://127.0.0.1:8001/v1"}}}`)
	o, err := parseServeArgs([]string{"--config", cfg},
		[]string{"OPENAI_API_KEY=" + testSecret, "ANTHROPIC_API_KEY=" + testSecret}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, []replacedEntry{{"providers.openai", []string{"OPENAI_API_KEY"}}}, replacedFileEntries(o))

	log := startupLog(t, []string{"OPENAI_API_KEY=" + testSecret, "ANTHROPIC_API_KEY=" + testSecret}, "--config", cfg)
	assert.Contains(t, log, "configuration file's provider entry not used: the environment configures that provider")
	assert.Contains(t, log, "entry=providers.openai variables=OPENAI_API_KEY")
	assert.NotContains(t, log, testSecret)

	o, err = parseServeArgs([]string{"--config", cfg}, []string{"ANTHROPIC_API_KEY=" + testSecret}, io.Discard)
	require.NoError(t, err)
	assert.Empty(t, replacedFileEntries(o), "nothing replaced but what the environment gives again")
}
