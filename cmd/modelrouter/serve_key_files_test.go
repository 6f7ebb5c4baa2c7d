package main

// README "Providers": each key variable (MODELROUTER_ADMIN_KEY,
// MODELROUTER_PROMPT_HASH_KEY, the providers' _API_KEY) may instead name a
// file as VAR_FILE, as Docker and Kubernetes mount secrets.

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// writeSecret writes content to a file of its own and returns its path.
func writeSecret(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// A provider's key and the admin key read from files reach the provider
// and the management API, each less the newline a secret file ends in
// (\r\n from a file written on Windows).
func TestServeReadsKeysFromFiles(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	fake.Key = "sk-upstream-from-file"
	base, refused := startServeFromEnv(t, nil, []string{
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=" + fake.URL,
		"MODELROUTER_UPSTREAM_DEFAULT_API_KEY_FILE=" + writeSecret(t, fake.Key+"\n"),
		"MODELROUTER_ADMIN_KEY_FILE=" + writeSecret(t, "adm-from-file\r\n"),
	})
	require.NoError(t, refused)

	resp, err := http.Post(base+"/v1/chat/completions", "application/json",
		bytes.NewBufferString(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the provider takes the key from the file: %s", body)

	for key, want := range map[string]int{"adm-from-file": http.StatusOK, "adm-wrong": http.StatusUnauthorized} {
		req, err := http.NewRequest(http.MethodGet, base+"/deployments", nil)
		require.NoError(t, err)
		req.Header.Set("api-key", key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, "admin key %q", key)
	}
}

// The prompt hash key from a file keys the hash, and a short one is
// refused under the variable it was given by.
func TestServeReadsThePromptHashKeyFromAFile(t *testing.T) {
	const key = "prompt-hash-key-from-file-0123456789"
	o, err := parseServeArgs(nil, []string{EnvPromptHashKey + "_FILE=" + writeSecret(t, key+"\n")}, io.Discard)
	require.NoError(t, err)
	got, from := o.resolvedPromptHashKey()
	assert.Equal(t, key, got)
	assert.Equal(t, EnvPromptHashKey+"_FILE", from)

	_, err = parseServeArgs(nil, []string{EnvPromptHashKey + "_FILE=" + writeSecret(t, "short\n")}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), EnvPromptHashKey+"_FILE: 5 bytes, want at least 16")
}

// A key given twice, or a file that cannot give one, refuses to start with
// a message naming the variable (and the path, when it reads as one),
// never the key.
func TestServeRefusesABadKeyFile(t *testing.T) {
	dir, empty, newline := t.TempDir(), writeSecret(t, ""), writeSecret(t, "\n")
	unreadable := writeSecret(t, "sk-secret-in-file")
	require.NoError(t, os.Chmod(unreadable, 0))
	if f, err := os.Open(unreadable); err == nil { // root reads it anyway
		f.Close()
		unreadable = ""
	}
	tests := []struct {
		name    string
		environ []string
		want    string
	}{
		{"both set", []string{"OPENAI_API_KEY=sk-secret-env", "OPENAI_API_KEY_FILE=" + writeSecret(t, "sk-secret-in-file")},
			"OPENAI_API_KEY and OPENAI_API_KEY_FILE are both set: give the key one way only"},
		{"no such file", []string{"MODELROUTER_ADMIN_KEY_FILE=" + filepath.Join(dir, "nope")},
			`MODELROUTER_ADMIN_KEY_FILE "` + filepath.Join(dir, "nope") + `": no such file or directory`},
		{"a folder", []string{"ANTHROPIC_API_KEY_FILE=" + dir}, `ANTHROPIC_API_KEY_FILE "` + dir + `": is a directory`},
		{"empty file", []string{"MODELROUTER_PROMPT_HASH_KEY_FILE=" + empty}, `MODELROUTER_PROMPT_HASH_KEY_FILE "` + empty + `": the file is empty`},
		{"a newline only", []string{"XAI_API_KEY_FILE=" + newline}, `XAI_API_KEY_FILE "` + newline + `": the file is empty`},
		{"the key where its file's path belongs", []string{"MODELROUTER_UPSTREAM_META_API_KEY_FILE=sk-secret-env"},
			"MODELROUTER_UPSTREAM_META_API_KEY_FILE (not shown: it may be a key): no such file or directory"},
		{"not a key", []string{"AZURE_OPENAI_API_KEY_FILE=" + writeSecret(t, string(make([]byte, 65<<10)))},
			"over 64 KiB, which no key is"},
	}
	if unreadable != "" {
		tests = append(tests, struct {
			name    string
			environ []string
			want    string
		}{"unreadable", []string{"DEEPSEEK_API_KEY_FILE=" + unreadable}, `DEEPSEEK_API_KEY_FILE "` + unreadable + `": permission denied`})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServeArgs(nil, tt.environ, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "sk-secret")
		})
	}
}

// A VAR_FILE set twice (an environment built by a program can hold a
// variable twice) reads the last, as every other variable does, and a
// file that cannot be read is named once.
func TestServeReadsTheLastOfAKeyFileVariableSetTwice(t *testing.T) {
	const key = "sk-upstream-the-last-0123456789"
	o, err := parseServeArgs(nil, []string{"OPENAI_API_KEY_FILE=./no-such-key-file", "OPENAI_API_KEY_FILE=" + writeSecret(t, key+"\n")}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, key, envMap(o.environ)["OPENAI_API_KEY"])

	_, err = parseServeArgs(nil, []string{"OPENAI_API_KEY_FILE=" + writeSecret(t, key), "OPENAI_API_KEY_FILE=./no-such-key-file"}, io.Discard)
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), `OPENAI_API_KEY_FILE "./no-such-key-file": no such file or directory`), err.Error())
}

// Windows Notepad starts a UTF-8 file with a byte order mark, which no key
// holds: it is left out, or the provider would answer 401 to the key.
func TestServeReadsAKeyFileSavedWithAByteOrderMark(t *testing.T) {
	const key = "sk-upstream-notepad-0123456789"
	o, err := parseServeArgs(nil, []string{"OPENAI_API_KEY_FILE=" + writeSecret(t, "\ufeff"+key+"\r\n")}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, key, envMap(o.environ)["OPENAI_API_KEY"])

	bomOnly := writeSecret(t, "\ufeff\r\n")
	_, err = parseServeArgs(nil, []string{"OPENAI_API_KEY_FILE=" + bomOnly}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `OPENAI_API_KEY_FILE "`+bomOnly+`": the file is empty`)
}
