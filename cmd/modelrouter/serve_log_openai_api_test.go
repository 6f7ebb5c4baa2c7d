package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startupLog starts serve with environ (and args) as `modelrouter serve` reads them,
// stops it once it listens, and returns what it logged.
func startupLog(t *testing.T, environ []string, args ...string) string {
	t.Helper()
	return serveLog(t, environ, nil, args...)
}

// serveLog is startupLog with calls made while serve listens: during gets
// its base URL. The logger is the one runServe makes of the flags.
func serveLog(t *testing.T, environ []string, during func(base string), args ...string) string {
	t.Helper()
	o, err := parseServeArgs(append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "m.db")}, args...), environ, io.Discard)
	require.NoError(t, err)
	var logs bytes.Buffer
	listening := make(chan string, 1)
	o.predictor = fixedPredictor(t)
	o.listening = func(addr string) { listening <- addr }
	o.logger = o.newLogger(&logs)
	o.grace = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o) }()
	select {
	case addr := <-listening:
		if during != nil {
			during("http://" + addr)
		}
	case err := <-done:
		t.Fatalf("serve did not start: %v", err)
	case <-time.After(30 * time.Second): // hang guard
		t.Fatal("serve neither started nor failed")
	}
	cancel()
	requireServeStopped(t, done, 20*time.Second)
	return logs.String()
}

// The startup log says which providers are read as OpenAI's API (what
// OpenAI stores goes only to them): by the base URL's host, OpenAI's
// regional ones included, or declared so for a proxy; a server of one's
// own says nothing of it. An operator sees how each base URL was read.
func TestTheStartupLogSaysWhichProvidersAreReadAsOpenAIsAPI(t *testing.T) {
	log := startupLog(t, []string{
		"OPENAI_BASE_URL=https://eu.api.openai.com/v1", "OPENAI_API_KEY=" + testSecret,
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=https://llm-proxy.corp.example/v1", "MODELROUTER_UPSTREAM_DEFAULT_OPENAI_API=true",
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:11434/v1",
	})
	assert.Contains(t, log, "openai (openai, https://eu.api.openai.com/v1, key set, openai_api)")
	assert.Contains(t, log, "default: default (openai, https://llm-proxy.corp.example/v1, no key, openai_api declared)")
	assert.Contains(t, log, "meta (openai, http://127.0.0.1:11434/v1, no key);")
	assert.NotContains(t, log, testSecret)

	log = startupLog(t, []string{"OPENAI_BASE_URL=http://127.0.0.1:8000/v1"})
	assert.Contains(t, log, "openai (openai, http://127.0.0.1:8000/v1, no key)", "the openai provider at a server of one's own")
	assert.NotContains(t, log, "openai_api")
}

// The startup log shows a hosted_tools declaration where it shows
// openai_api's, so an operator sees which servers get such calls.
func TestTheStartupLogShowsAHostedToolsDeclaration(t *testing.T) {
	log := startupLog(t, []string{
		"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=http://127.0.0.1:8000/v1",
		"MODELROUTER_UPSTREAM_GPT_OSS_HOSTED_TOOLS=web_search_preview,code_interpreter,mcp",
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:11434/v1",
	})
	assert.Contains(t, log, "gpt-oss (openai, http://127.0.0.1:8000/v1, no key, hosted_tools declared: web_search_preview code_interpreter mcp)")
	assert.Contains(t, log, "meta (openai, http://127.0.0.1:11434/v1, no key)")
}
