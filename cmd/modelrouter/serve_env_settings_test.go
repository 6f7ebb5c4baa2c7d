package main

// Settings read from the environment are checked at start as the config
// file's are, so a typo refuses to start instead of starting a server
// whose calls fail.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startServeFromEnv parses args and environ as `modelrouter serve` does and
// runs serve. It returns the error that refused the settings (at parse time
// or before listening), or the base URL of the running server.
func startServeFromEnv(t *testing.T, args, environ []string) (base string, refused error) {
	t.Helper()
	args = append([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "m.db")}, args...)
	o, err := parseServeArgs(args, environ, io.Discard)
	if err != nil {
		return "", err
	}
	addr := make(chan string, 1)
	o.predictor = fixedPredictor(t)
	o.listening = func(a string) { addr <- a }
	o.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	o.grace = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, o) }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(20 * time.Second): // hang guard
				t.Error("serve did not stop")
			}
		})
		return "http://" + a, nil
	case err := <-done:
		cancel()
		return "", err
	case <-time.After(30 * time.Second): // hang guard
		cancel()
		t.Fatal("serve neither started nor failed")
	}
	return "", nil
}

// A provider set through its environment variables gets the same checks as
// the config file's (an absolute http(s) base URL, a known kind, a catalog
// provider name): a bad value refuses to start, and the message names the
// variable to fix, never the key.
func TestServeRefusesABadProviderFromTheEnvironment(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    string
	}{
		{"base URL without a scheme", []string{"OPENAI_API_KEY=sk-secret-env", "OPENAI_BASE_URL=api.openai.com/v1"},
			`OPENAI_BASE_URL "api.openai.com/v1": want an absolute http(s) URL`},
		{"Azure endpoint without a scheme", []string{"AZURE_OPENAI_ENDPOINT=myres.openai.azure.com", "AZURE_OPENAI_API_KEY=sk-secret-env"},
			`AZURE_OPENAI_ENDPOINT "myres.openai.azure.com": want an absolute http(s) URL`},
		{"unknown kind", []string{"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:1/v1", "MODELROUTER_UPSTREAM_META_KIND=antropic", "MODELROUTER_UPSTREAM_META_API_KEY=sk-secret-env"},
			`MODELROUTER_UPSTREAM_META_KIND "antropic": valid kinds: openai, anthropic, azure`},
		{"unknown provider name", []string{"MODELROUTER_UPSTREAM_MISTRAL_BASE_URL=http://127.0.0.1:1/v1"},
			"MODELROUTER_UPSTREAM_MISTRAL_BASE_URL (provider mistral): unknown provider; valid names:"},
		{"default server of another kind", []string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://127.0.0.1:1/v1", "MODELROUTER_UPSTREAM_DEFAULT_KIND=anthropic"},
			`MODELROUTER_UPSTREAM_DEFAULT_KIND "anthropic": the default server answers every model and must be OpenAI-compatible`},
		{"generic variables for an official provider", []string{"MODELROUTER_UPSTREAM_OPENAI_BASE_URL=localhost:8000"},
			`MODELROUTER_UPSTREAM_OPENAI_BASE_URL "localhost:8000": want an absolute http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServeArgs([]string{"--db", filepath.Join(t.TempDir(), "m.db")}, tt.environ, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "sk-secret-env")
		})
	}
}

// The same through serve: the server does not start.
func TestServeDoesNotStartWithAnEnvironmentProviderWithoutAScheme(t *testing.T) {
	base, refused := startServeFromEnv(t, nil, []string{
		"OPENAI_API_KEY=sk-secret-env", "OPENAI_BASE_URL=api.openai.com/v1", // no scheme
	})
	require.Error(t, refused, "serve started at %s", base)
	assert.Contains(t, refused.Error(), "OPENAI_BASE_URL")
	assert.NotContains(t, refused.Error(), "sk-secret-env")
}

// Good environment providers still start, kinds in any case.
func TestServeAcceptsGoodProvidersFromTheEnvironment(t *testing.T) {
	_, err := parseServeArgs([]string{"--db", filepath.Join(t.TempDir(), "m.db")}, []string{
		"OPENAI_API_KEY=sk-secret-env", "ANTHROPIC_API_KEY=sk-secret-env",
		"AZURE_OPENAI_ENDPOINT=https://r.openai.azure.com", "AZURE_OPENAI_API_KEY=sk-secret-env",
		"MODELROUTER_UPSTREAM_META_BASE_URL=http://127.0.0.1:11434/v1", "MODELROUTER_UPSTREAM_META_KIND=OpenAI",
		"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=https://h/v1", "MODELROUTER_UPSTREAM_GPT_OSS_KIND=azure",
		"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://127.0.0.1:8000/v1",
	}, io.Discard)
	assert.NoError(t, err)
}

// An admin key with surrounding whitespace (a Kubernetes secret or env file
// that ends in a newline) is trimmed: the management API and the reports
// both take the key as "Authorization: Bearer <key>" or "api-key: <key>".
func TestServeTrimsTheAdminKey(t *testing.T) {
	base, refused := startServeFromEnv(t, nil, []string{"MODELROUTER_ADMIN_KEY=adm-env-key\n"})
	require.NoError(t, refused)
	for _, path := range []string{"/deployments", "/v1/router/report"} {
		for _, h := range []map[string]string{
			{"Authorization": "Bearer adm-env-key"},
			{"api-key": "adm-env-key"},
		} {
			req, err := http.NewRequest(http.MethodGet, base+path, nil)
			require.NoError(t, err)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode, "%s %v: %s", path, h, body)
		}
	}
}
