package main

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The API's path is appended to a base URL, so one with a query or a
// fragment would send every call to its own path with the rest in the
// query ("/v1?subscription-key=.../chat/completions"): such a base URL,
// from the file or the environment, refuses to start, naming the setting
// and not echoing the query, which may hold a key.
func TestBaseURLWithAQueryOrFragmentIsRefusedAtStart(t *testing.T) {
	tests := []struct {
		name, config string
		environ      []string
		want         string
	}{
		{"environment query", "", []string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=http://127.0.0.1:8000/v1?subscription-key=sk-secret-query"},
			"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL: want a base URL without a query"},
		{"environment fragment", "", []string{"OPENAI_API_KEY=sk-secret-env", "OPENAI_BASE_URL=https://api.openai.com/v1#sk-secret-query"},
			"OPENAI_BASE_URL: want a base URL without a query"},
		{"file query", `{"providers": {"meta": {"base_url": "http://127.0.0.1:11434/v1?key=sk-secret-query"}}}`, nil,
			"providers.meta.base_url: want a base URL without a query"},
		{"file empty query", `{"providers": {"azure": {"base_url": "https://r.openai.azure.com?", "api_key": "sk-secret-env"}}}`, nil,
			"providers.azure.base_url: want a base URL without a query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"--db", filepath.Join(t.TempDir(), "m.db")}
			if tt.config != "" {
				args = append(args, "--config", writeConfig(t, tt.config))
			}
			_, err := parseServeArgs(args, tt.environ, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "sk-secret")
		})
	}
}
