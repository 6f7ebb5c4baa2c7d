package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const testSecret = "sk-test-never-print-me-42"

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "modelrouter.json")
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	return path
}

func TestReadServeFile(t *testing.T) {
	env := map[string]string{"OPENAI_KEY": testSecret, "HOST": "127.0.0.1"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		body    string
		wantErr []string // substrings; every one must appear
		check   func(t *testing.T, f *serveFile)
	}{
		{
			name: "every field",
			body: `{"addr": "${HOST}:9000", "db": "x.db", "require_keys": true, "keep_prompts": true,
				"admin_key": "adm", "rate_limits": false, "affinity_ttl": "10m", "grace": "5s", "max_body": 1024,
				"keep_responses": "24h", "router_model": "dir", "cuda": true, "agent_tools_openai_only": false,
				"unhealthy_after": 5, "unhealthy_for": "1m",
				"providers": {"openai": {"base_url": "http://127.0.0.1:1/v1", "api_key": "${OPENAI_KEY}"}}}`,
			check: func(t *testing.T, f *serveFile) {
				assert.Equal(t, "127.0.0.1:9000", *f.Addr, "${HOST} is expanded")
				assert.Equal(t, "x.db", *f.DB)
				assert.True(t, *f.RequireKeys)
				assert.Equal(t, secret("adm"), *f.AdminKey)
				assert.False(t, *f.RateLimits)
				assert.Equal(t, duration(10*time.Minute), *f.AffinityTTL)
				assert.Equal(t, duration(24*time.Hour), *f.KeepResponses)
				assert.Equal(t, 5, *f.UnhealthyAfter)
				assert.Equal(t, duration(time.Minute), *f.UnhealthyFor)
				assert.Equal(t, duration(5*time.Second), *f.Grace)
				assert.Equal(t, int64(1024), *f.MaxBody)
				assert.False(t, *f.AgentToolsOpenAIOnly)
				assert.Equal(t, secret(testSecret), f.Providers["openai"].APIKey, "${OPENAI_KEY} is expanded")
			},
		},
		{name: "empty object", body: `{}`, check: func(t *testing.T, f *serveFile) { assert.Nil(t, f.Addr) }},
		{name: "unknown field", body: `{"adress": "x"}`, wantErr: []string{`unknown field "adress"`}},
		{name: "bad duration", body: `{"affinity_ttl": "soon"}`, wantErr: []string{`"soon"`, "duration"}},
		{name: "not json", body: `addr = 1`, wantErr: []string{"config:"}},
		{name: "trailing data", body: `{} {}`, wantErr: []string{"trailing data"}},
		{
			name:    "every unset variable is reported",
			body:    `{"admin_key": "${NOPE_A}", "providers": {"openai": {"api_key": "${NOPE_B}"}}}`,
			wantErr: []string{"admin_key: environment variable NOPE_A is not set", "providers.openai.api_key: environment variable NOPE_B is not set"},
		},
		{
			name: "only the braced form expands",
			body: `{"admin_key": "pa$$word$HOST"}`,
			check: func(t *testing.T, f *serveFile) {
				assert.Equal(t, secret("pa$$word$HOST"), *f.AdminKey)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readServeFile(strings.NewReader(tt.body), getenv)
			if len(tt.wantErr) > 0 {
				require.Error(t, err)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				return
			}
			require.NoError(t, err)
			tt.check(t, f)
		})
	}
}

// TestConfigPrecedence: defaults < file < flags; MODELROUTER_CONFIG names
// the file when --config does not.
func TestConfigPrecedence(t *testing.T) {
	path := writeConfig(t, `{"addr": "127.0.0.1:7001", "db": "file.db", "affinity_ttl": "5m", "rate_limits": false, "grace": "2s"}`)
	tests := []struct {
		name    string
		args    []string
		environ []string
		want    func(t *testing.T, o serveOptions)
	}{
		{
			name: "defaults without a file",
			want: func(t *testing.T, o serveOptions) {
				assert.Equal(t, "127.0.0.1:8080", o.addr)
				assert.Equal(t, time.Hour, o.affinityTTL)
				assert.True(t, o.rateLimits)
				assert.Empty(t, o.configPath)
			},
		},
		{
			name: "file over defaults",
			args: []string{"--config", path},
			want: func(t *testing.T, o serveOptions) {
				assert.Equal(t, "127.0.0.1:7001", o.addr)
				assert.Equal(t, "file.db", o.db)
				assert.Equal(t, 5*time.Minute, o.affinityTTL)
				assert.False(t, o.rateLimits)
				assert.Equal(t, 2*time.Second, o.grace)
				assert.True(t, o.agentOpenAI, "a field the file leaves out keeps its default")
				assert.Equal(t, path, o.configPath)
			},
		},
		{
			name: "flags over file",
			args: []string{"--config", path, "--addr", "127.0.0.1:7002", "--rate-limits=true", "--affinity-ttl", "90s"},
			want: func(t *testing.T, o serveOptions) {
				assert.Equal(t, "127.0.0.1:7002", o.addr)
				assert.True(t, o.rateLimits)
				assert.Equal(t, 90*time.Second, o.affinityTTL)
				assert.Equal(t, "file.db", o.db, "flags not given leave the file's value")
			},
		},
		{
			name:    "MODELROUTER_CONFIG",
			environ: []string{EnvConfig + "=" + path},
			want:    func(t *testing.T, o serveOptions) { assert.Equal(t, "127.0.0.1:7001", o.addr) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseServeArgs(tt.args, tt.environ, io.Discard)
			require.NoError(t, err)
			tt.want(t, o)
		})
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	path := writeConfig(t, `{"addr": "nowhere", "affinity_ttl": "-1s", "keep_responses": "-1h", "max_body": 0,
		"unhealthy_after": -1, "providers": {
		"openai": {"base_url": "api.openai.com", "api_key": "`+testSecret+`"},
		"anthropic": {"kind": "grpc", "api_key": "`+testSecret+`"},
		"mistral": {"base_url": "http://127.0.0.1:1"},
		"default": {"kind": "anthropic", "base_url": "http://127.0.0.1:1"}}}`)
	_, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		`addr "nowhere"`,
		"affinity_ttl -1s",
		"keep_responses -1h0m0s: must not be negative",
		"unhealthy_after -1: must not be negative",
		"max_body 0",
		`providers.openai.base_url "api.openai.com": want an absolute http(s) URL`,
		`providers.anthropic.kind "grpc": valid kinds: openai, anthropic, azure`,
		`providers.default.kind "anthropic": the default server answers every model and must be OpenAI-compatible`,
		"providers.mistral: unknown provider; valid names: anthropic, azure, deepseek, deepseek-hf, default, gpt-oss, meta, openai, xai",
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, testSecret, "errors never show a key")

	_, err = parseServeArgs([]string{"--unhealthy-for", "0s"}, nil, io.Discard)
	assert.ErrorContains(t, err, "unhealthy_for 0s: must be positive")
	_, err = parseServeArgs([]string{"--affinity-ttl", "0s"}, nil, io.Discard)
	assert.ErrorContains(t, err, "affinity_ttl 0s: must be positive", "flags are validated too")
	_, err = parseServeArgs([]string{"--config", filepath.Join(t.TempDir(), "missing.json")}, nil, io.Discard)
	assert.ErrorContains(t, err, "missing.json")
}

func TestConfigProviders(t *testing.T) {
	f, err := readServeFile(strings.NewReader(`{"providers": {
		"openai": {"api_key": "from-file"},
		"anthropic": {"base_url": "http://127.0.0.1:2/", "api_key": "a"},
		"azure": {"base_url": "https://x.openai.azure.com", "api_key": "z"},
		"meta": {"base_url": "http://127.0.0.1:3/v1"},
		"default": {"base_url": "http://127.0.0.1:4/v1"}}}`), func(string) string { return "" })
	require.NoError(t, err)
	ps := f.providers()
	assert.Equal(t, upstream.Provider{Name: "openai", Kind: "openai", BaseURL: upstream.DefaultOpenAIBaseURL, APIKey: "from-file"}, ps.ByName["openai"],
		"a key without base_url uses the SDK default")
	assert.Equal(t, upstream.Provider{Name: "anthropic", Kind: "anthropic", BaseURL: "http://127.0.0.1:2", APIKey: "a"}, ps.ByName["anthropic"],
		"the anthropic entry speaks the Messages API without saying so")
	assert.Equal(t, upstream.DefaultAzureAPIVersion, ps.ByName["azure"].APIVersion)
	assert.Equal(t, "azure", ps.ByName["azure"].Kind)
	assert.Equal(t, "openai", ps.ByName["meta"].Kind)
	require.NotNil(t, ps.Default)
	assert.Equal(t, "http://127.0.0.1:4/v1", ps.Default.BaseURL)

	// The environment replaces a provider of the same name; others stay.
	env := upstream.FromEnviron([]string{"OPENAI_API_KEY=from-env", "OPENAI_BASE_URL=http://127.0.0.1:5/v1"})
	merged := mergeProviders(ps, env)
	assert.Equal(t, "from-env", merged.ByName["openai"].APIKey)
	assert.Equal(t, "http://127.0.0.1:5/v1", merged.ByName["openai"].BaseURL)
	assert.Equal(t, "a", merged.ByName["anthropic"].APIKey)
	assert.Equal(t, ps.Default, merged.Default, "no default in the environment: the file's stays")
}

func TestConfigNeverPrintsKeys(t *testing.T) {
	f, err := readServeFile(strings.NewReader(`{"admin_key": "`+testSecret+`",
		"providers": {"openai": {"api_key": "`+testSecret+`"}}}`), func(string) string { return "" })
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, f), testSecret, verb)
		assert.NotContains(t, fmt.Sprintf(verb, *f), testSecret, verb)
	}
	assert.NotContains(t, f.providers().String(), testSecret)
}

// TestServeNeverLogsConfigKeys starts serve with keys from a config file
// and reads its startup log.
func TestServeNeverLogsConfigKeys(t *testing.T) {
	path := writeConfig(t, `{"admin_key": "`+testSecret+`", "providers": {"openai": {"base_url": "http://127.0.0.1:9/v1", "api_key": "`+testSecret+`"}}}`)
	o, err := parseServeArgs([]string{"--config", path}, nil, io.Discard)
	require.NoError(t, err)
	var logs bytes.Buffer
	_, stop, done := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "m.db"), func(so *serveOptions) {
		so.adminKey, so.fileProviders, so.configPath = o.adminKey, o.fileProviders, o.configPath
		so.logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	stop()
	require.NoError(t, <-done)
	assert.Contains(t, logs.String(), "openai (openai, http://127.0.0.1:9/v1, key set)")
	assert.Contains(t, logs.String(), path)
	assert.NotContains(t, logs.String(), testSecret)
}

// A port out of range is a setting error, found before the database is
// opened, not a failed listen after it.
func TestConfigRefusesAPortOutOfRange(t *testing.T) {
	_, err := parseServeArgs([]string{"--addr", "127.0.0.1:99999"}, nil, io.Discard)
	require.ErrorContains(t, err, `addr "127.0.0.1:99999": port 99999 is not in 0-65535`)
	_, err = parseServeArgs([]string{"--addr", "127.0.0.1:8081"}, nil, io.Discard)
	require.NoError(t, err)
}

// readServeFile is readServeFileKeys with ${VAR} read from getenv alone,
// as the tests of the file's other rules read it.
func readServeFile(r io.Reader, getenv func(string) string) (*serveFile, error) {
	return readServeFileKeys(r, getenv, nil)
}
