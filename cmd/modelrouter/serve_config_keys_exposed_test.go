package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveLogsWithConfig starts serve with a config file of the given mode
// and returns what it logged by the time it listened.
func serveLogsWithConfig(t *testing.T, doc string, mode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "modelrouter.json")
	require.NoError(t, os.WriteFile(cfg, []byte(doc), 0o600))
	require.NoError(t, os.Chmod(cfg, mode))
	o, err := parseServeArgs([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "m.db"), "--config", cfg},
		[]string{"KEY_FROM_ENV=sk-from-the-environment-1234"}, io.Discard)
	require.NoError(t, err)
	var logs syncBuffer
	listening := make(chan struct{})
	o.predictor = fixedPredictor(t)
	o.listening = func(string) { close(listening) }
	o.logger = slog.New(slog.NewTextHandler(&logs, nil))
	o.grace = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o) }()
	select {
	case <-listening:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second): // hang guard
		t.Fatal("serve did not listen")
	}
	cancel()
	require.NoError(t, <-done)
	return logs.String()
}

const keysReadableWarning = "config file holds keys and other accounts may read it"

// A config file with a key written in it, which every account on the host
// may read (0644 under the usual umask), is the key given to them all: serve
// says so when it starts, naming the fields, never the keys.
func TestServeWarnsThatAConfigFileWithKeysIsReadableByOthers(t *testing.T) {
	doc := `{"admin_key": "admin-written-in-the-file", "providers": {"default": {"base_url": "http://127.0.0.1:9/v1", "api_key": "sk-written-in-the-file"}}}`
	logs := serveLogsWithConfig(t, doc, 0o644)
	assert.Contains(t, logs, keysReadableWarning)
	assert.Contains(t, logs, "admin_key")
	assert.Contains(t, logs, "providers.default.api_key")
	assert.Contains(t, logs, "mode=0644")
	assert.NotContains(t, logs, "written-in-the-file")

	assert.NotContains(t, serveLogsWithConfig(t, doc, 0o600), keysReadableWarning, "the owner's alone")
}

// Keys given as ${VAR} are not in the file: nothing to warn about.
func TestServeDoesNotWarnAboutAReadableConfigFileWithoutKeys(t *testing.T) {
	doc := `{"admin_key": "${KEY_FROM_ENV}", "providers": {"default": {"base_url": "http://127.0.0.1:9/v1", "api_key": " ${KEY_FROM_ENV} "}}}`
	assert.NotContains(t, serveLogsWithConfig(t, doc, 0o644), keysReadableWarning)
}

// The fields are named in one order, the same at every start, though the
// providers are many: a log search or alert on the line keeps matching.
func TestServeNamesTheReadableKeysInOneOrder(t *testing.T) {
	var providers []string
	for _, name := range []string{"xai", "meta", "openai", "anthropic", "gpt-oss", "deepseek", "default"} {
		providers = append(providers, `"`+name+`": {"base_url": "http://127.0.0.1:9/v1", "api_key": "sk-written"}`)
	}
	logs := serveLogsWithConfig(t, `{"admin_key": "admin-written-in-the-file", "providers": {`+strings.Join(providers, ", ")+`}}`, 0o644)
	assert.Contains(t, logs, "keys=admin_key,providers.anthropic.api_key,providers.deepseek.api_key,providers.default.api_key,"+
		"providers.gpt-oss.api_key,providers.meta.api_key,providers.openai.api_key,providers.xai.api_key")
}

// A file others may change, and not read, is said to be that: they may
// point a provider's base_url at a server of theirs and catch its key,
// ${VAR} ones included, so moving the keys out of it is no fix.
func TestServeWarnsThatAConfigFileWithKeysIsWritableByOthers(t *testing.T) {
	written := `{"admin_key": "admin-written-in-the-file", "providers": {"default": {"base_url": "http://127.0.0.1:9/v1", "api_key": "sk-written-in-the-file"}}}`
	named := `{"providers": {"default": {"base_url": "http://127.0.0.1:9/v1", "api_key": "${KEY_FROM_ENV}"}}}`
	for _, c := range []struct {
		doc        string
		mode       os.FileMode
		read, keys string
	}{
		{written, 0o622, "", "keys=admin_key,providers.default.api_key"},
		{named, 0o620, "", "keys=providers.default.api_key"},
		{named, 0o664, "", "keys=providers.default.api_key"}, // readable, but holds no key
		{written, 0o666, "may read it", "keys=admin_key,providers.default.api_key"},
	} {
		logs := serveLogsWithConfig(t, c.doc, c.mode)
		assert.Contains(t, logs, "other accounts may", "%04o", c.mode)
		assert.Contains(t, logs, "change it to send a key to a server of theirs", "%04o", c.mode)
		assert.Contains(t, logs, c.keys, "%04o", c.mode)
		assert.NotContains(t, logs, "give the keys as ${VAR}", "%04o: no fix for a file others may change", c.mode)
		if c.read == "" {
			assert.NotContains(t, logs, "may read it", "%04o", c.mode)
		} else {
			assert.Contains(t, logs, c.read, "%04o", c.mode)
		}
		assert.NotContains(t, logs, "written-in-the-file")
		assert.NotContains(t, logs, "sk-from-the-environment")
		assert.Equal(t, 1, strings.Count(logs, "level=WARN msg=\"config file"), "%04o: one line", c.mode)
	}
}

// Execute bits alone give others neither the keys nor the file.
func TestServeDoesNotWarnAboutAConfigFileOthersMayOnlyExecute(t *testing.T) {
	doc := `{"admin_key": "admin-written-in-the-file"}`
	assert.NotContains(t, serveLogsWithConfig(t, doc, 0o711), "other accounts may")
}

// A file others may change is their way to the keys in serve's environment
// even when it names none: a provider they add, with a base_url of theirs
// and "api_key": "${OPENAI_API_KEY}", is sent that key. So it is warned of
// too; one others may only read, without keys, is not.
func TestServeWarnsThatAConfigFileWithoutKeysIsWritableByOthers(t *testing.T) {
	doc := `{"grace": "10s"}`
	for _, mode := range []os.FileMode{0o664, 0o622} {
		logs := serveLogsWithConfig(t, doc, mode)
		assert.Contains(t, logs, "other accounts may change it", "%04o", mode)
		assert.Contains(t, logs, "${VAR}", "%04o: says how a file without keys gives them away", mode)
		assert.NotContains(t, logs, " keys=", "%04o: it names no key field", mode)
		assert.NotContains(t, logs, "sk-from-the-environment")
	}
	assert.NotContains(t, serveLogsWithConfig(t, doc, 0o644), "config file", "readable, without keys")
}
