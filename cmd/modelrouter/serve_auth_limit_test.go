package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// One limit of failed authentications per client address covers the
// client keys, the management API and the reports: wrong admin keys from
// an address hold back its client key too, the server log says so once,
// and a good client key sent where only the admin key opens (the
// playground's one key field) is not counted as a guess.
func TestServeLimitsAnAddressThatGuessesKeysOnAnyRoute(t *testing.T) {
	db := filepath.Join(t.TempDir(), "modelrouter.db")
	var stdout, stderr bytes.Buffer
	require.NoError(t, runKeys(context.Background(), []string{"create", "--name", "app", "--db", db}, &stdout, &stderr), stderr.String())
	key := strings.TrimSpace(stdout.String())
	logs := &syncBuffer{}
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), db, func(o *serveOptions) {
		o.requireKeys = true
		o.environ = append(o.environ, "MODELROUTER_ADMIN_KEY=the-admin-key")
		o.logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	get := func(path, key string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	for range 15 {
		require.Equal(t, http.StatusUnauthorized, get("/v1/router/report", key).StatusCode, "a client key is not the admin key")
	}
	require.Equal(t, http.StatusOK, get("/v1/models", key).StatusCode, "a good client key is no guess")

	for range 5 {
		require.Equal(t, http.StatusUnauthorized, get("/deployments", "admin-guess").StatusCode)
		require.Equal(t, http.StatusUnauthorized, get("/v1/router/report", "admin-guess").StatusCode)
	}
	for _, path := range []string{"/v1/models", "/deployments", "/v1/router/report"} {
		resp := get(path, key)
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, path)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"), path)
	}
	assert.Equal(t, 1, strings.Count(logs.String(), "client address limited"), logs.String())
	assert.Contains(t, logs.String(), "client=127.0.0.1")
	assert.NotContains(t, logs.String(), "admin-guess", "keys never reach the log")
}
