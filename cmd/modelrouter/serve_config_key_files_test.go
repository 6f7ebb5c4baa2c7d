package main

// README "Configuration file": a ${VAR} in a key field reads VAR_FILE when
// VAR is unset, by the rules every key variable's _FILE is read with.

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A config file's "${OPENROUTER_API_KEY}", a variable serve knows nothing
// of, given as OPENROUTER_API_KEY_FILE, is the file's key, less its
// newline: the provider takes it.
func TestServeReadsAConfigFilesKeyVariableFromItsFile(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	fake.Key = "sk-or-from-file-0123456789"
	cfg := writeConfig(t, `{"providers": {"default": {"base_url": "`+fake.URL+`", "api_key": "${OPENROUTER_API_KEY}"}}}`)
	base, refused := startServeFromEnv(t, []string{"--config", cfg},
		[]string{"OPENROUTER_API_KEY_FILE=" + writeSecret(t, fake.Key+"\n")})
	require.NoError(t, refused)

	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the provider takes the key from the file: %s", body)
}

// The file's key, or the variable's, one way only; a file that cannot give
// one is named with its variable and path, under the field, never the key.
func TestServeRefusesABadKeyFileOfAConfigFilesVariable(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, `{"admin_key": "${MY_ADMIN_KEY}", "providers": {"default": {"base_url": "http://127.0.0.1:9/v1", "api_key": "${OPENROUTER_API_KEY}"}}}`)
	for name, c := range map[string]struct {
		environ []string
		want    string
	}{
		"both set": {[]string{"OPENROUTER_API_KEY=sk-secret-env", "OPENROUTER_API_KEY_FILE=" + writeSecret(t, "sk-secret-in-file"), "MY_ADMIN_KEY=adm-secret-env"},
			"providers.default.api_key: OPENROUTER_API_KEY and OPENROUTER_API_KEY_FILE are both set: give the key one way only"},
		"no such file": {[]string{"OPENROUTER_API_KEY=sk-secret-env", "MY_ADMIN_KEY_FILE=" + filepath.Join(dir, "nope")},
			`admin_key: MY_ADMIN_KEY_FILE "` + filepath.Join(dir, "nope") + `": no such file or directory`},
		"empty file": {[]string{"OPENROUTER_API_KEY_FILE=" + writeSecret(t, "\n"), "MY_ADMIN_KEY=adm-secret-env"},
			`providers.default.api_key: OPENROUTER_API_KEY_FILE "`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseServeArgs([]string{"--config", cfg}, c.environ, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NotContains(t, err.Error(), "-secret-")
		})
	}
}

// Only key fields read VAR_FILE: elsewhere a VAR_FILE is another program's
// path (SSL_CERT_FILE names a PEM file), and ${VAR} stays the variable.
func TestConfigFileReadsVariableFilesInKeyFieldsOnly(t *testing.T) {
	cfg := writeConfig(t, `{"grace": "${GRACE}"}`)
	_, err := parseServeArgs([]string{"--config", cfg}, []string{"GRACE_FILE=" + writeSecret(t, "10s\n")}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "grace: environment variable GRACE is not set")
}
