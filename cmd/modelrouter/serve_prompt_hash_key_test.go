package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// servePromptHashKey starts serve with the prompt hash key settings of a
// config file (body) and environ, routes one prompt, and returns the
// startup log and the row's prompt_hash and prompt_text.
func servePromptHashKey(t *testing.T, body string, environ []string) (logs, hash, text string) {
	t.Helper()
	o, err := parseServeArgs([]string{"--config", writeConfig(t, body)}, environ, io.Discard)
	require.NoError(t, err)
	var out bytes.Buffer
	db := filepath.Join(t.TempDir(), "m.db")
	base, stop, done := startServe(t, upstreamtest.NewOpenAI(t), db, func(so *serveOptions) {
		so.promptHashKey, so.keepPrompts, so.configPath = o.promptHashKey, true, o.configPath
		so.environ = append(so.environ, environ...)
		so.logger = slog.New(slog.NewTextHandler(&out, nil))
	})
	resp, err := http.Post(base+"/v1/route", "application/json",
		strings.NewReader(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	stop()
	require.NoError(t, <-done)
	sqlDB, err := sql.Open("sqlite3", db)
	require.NoError(t, err)
	defer sqlDB.Close()
	require.NoError(t, sqlDB.QueryRow(`SELECT prompt_hash, prompt_text FROM decisions`).Scan(&hash, &text))
	return out.String(), hash, text
}

// README "Decision log": with MODELROUTER_PROMPT_HASH_KEY (or
// prompt_hash_key in the config file; the environment wins) prompt_hash is
// HMAC-SHA256 of the routed text under the key, trimmed as a secret file's
// newline is; without one it is the plain SHA-256 as before. The startup
// line says which, and never shows the key.
func TestServeKeysThePromptHashWithTheOperatorsKey(t *testing.T) {
	const fileKey, envKey = "file-prompt-hash-key-0123456789", "env-prompt-hash-key-0123456789"
	tests := []struct {
		name, file string
		environ    []string
		key        string // "" for none
	}{
		{name: "no key", file: `{}`},
		{name: "from the environment", file: `{}`, environ: []string{EnvPromptHashKey + "=" + envKey + "\n"}, key: envKey},
		{name: "from the file", file: `{"prompt_hash_key": "` + fileKey + `"}`, key: fileKey},
		{name: "the environment beats the file", file: `{"prompt_hash_key": "` + fileKey + `"}`,
			environ: []string{EnvPromptHashKey + "=" + envKey}, key: envKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, hash, text := servePromptHashKey(t, tt.file, tt.environ)
			require.NotEmpty(t, text)
			plain := sha256.Sum256([]byte(text))
			if tt.key == "" {
				assert.Equal(t, hex.EncodeToString(plain[:]), hash)
				assert.Contains(t, logs, "prompt_hash=sha256")
				return
			}
			assert.Equal(t, router.HashPrompt([]byte(tt.key), text), hash)
			assert.NotEqual(t, hex.EncodeToString(plain[:]), hash)
			assert.Contains(t, logs, "prompt_hash=hmac-sha256")
			for _, key := range []string{fileKey, envKey} {
				assert.NotContains(t, logs, key, "the startup log never shows a key")
			}
		})
	}
}

// A short key is refused at start, naming its setting and length, never
// the key: the log can be checked against guesses at it offline.
func TestServeRefusesAShortPromptHashKey(t *testing.T) {
	const short = "hunter2-secret"
	_, err := parseServeArgs(nil, []string{EnvPromptHashKey + "=" + short}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%s: %d bytes, want at least 16", EnvPromptHashKey, len(short)))
	assert.NotContains(t, err.Error(), short)

	_, err = parseServeArgs([]string{"--config", writeConfig(t, `{"prompt_hash_key": "`+short+`"}`)}, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "prompt_hash_key: 14 bytes")
	assert.NotContains(t, err.Error(), short)

	f, err := readServeFile(strings.NewReader(`{"prompt_hash_key": "`+testSecret+`"}`), func(string) string { return "" })
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(verb, *f), testSecret, verb)
	}
}
