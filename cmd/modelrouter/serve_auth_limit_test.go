package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/insights"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// Only guesses at the admin key are limited. Wrong client keys from an
// address never bring it 429, however many (behind a reverse proxy every
// client shares the address, and gateway-made keys cannot be guessed); a
// good client key sent where only the admin key opens (the playground's one
// key field) is no guess; distinct wrong admin keys sent to the management
// API and the reports count together and hold the address back there, logged once,
// while its good client key still opens the API.
func TestServeLimitsAnAddressThatGuessesTheAdminKeyButNeverItsClientKeys(t *testing.T) {
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
	for i := range 30 {
		require.Equal(t, http.StatusUnauthorized, get("/v1/models", fmt.Sprintf("mr-revoked-%d", i)).StatusCode, "wrong client key %d", i+1)
	}
	require.Equal(t, http.StatusOK, get("/v1/models", key).StatusCode, "wrong client keys lock nobody out")

	for range 15 {
		require.Equal(t, http.StatusUnauthorized, get("/v1/router/report", key).StatusCode, "a client key is not the admin key")
	}
	require.Equal(t, http.StatusOK, get("/deployments", "the-admin-key").StatusCode, "a good client key is no guess")

	for i := range 5 {
		require.Equal(t, http.StatusUnauthorized, get("/deployments", fmt.Sprintf("admin-guess-%d", 2*i)).StatusCode)
		require.Equal(t, http.StatusUnauthorized, get("/v1/router/report", fmt.Sprintf("admin-guess-%d", 2*i+1)).StatusCode)
	}
	for _, path := range []string{"/deployments", "/v1/router/report"} {
		resp := get(path, "the-admin-key")
		assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, path)
		assert.NotEmpty(t, resp.Header.Get("Retry-After"), path)
	}
	assert.Equal(t, http.StatusOK, get("/v1/models", key).StatusCode, "the API is not held back")
	assert.Equal(t, 1, strings.Count(logs.String(), "client address limited"), logs.String())
	assert.Contains(t, logs.String(), "client=127.0.0.1")
	assert.NotContains(t, logs.String(), "admin-guess", "keys never reach the log")
}

// With no admin key configured the reports are off, and no key sent there
// is a wrong admin key: each call is told what to set, however many come,
// none counts towards the limit, and nothing is logged as a guess. (The
// playground's dashboard sends whatever its key field holds on every
// refresh.)
func TestServeWithoutAnAdminKeyTurnsTheReportsOffAndCountsNothing(t *testing.T) {
	logs := &syncBuffer{}
	base, _, _ := startServe(t, upstreamtest.NewOpenAI(t), filepath.Join(t.TempDir(), "modelrouter.db"), func(o *serveOptions) {
		o.logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	for i := range 15 {
		for _, path := range []string{"/v1/router/report", "/v1/router/timeline"} {
			req, err := http.NewRequest(http.MethodGet, base+path, nil)
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer some-key")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			var body struct {
				Error struct{ Code, Message string }
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			resp.Body.Close()
			require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s, call %d", path, i+1)
			assert.Equal(t, insights.CodeDisabled, body.Error.Code)
			assert.Contains(t, body.Error.Message, "MODELROUTER_ADMIN_KEY")
		}
	}
	assert.NotContains(t, logs.String(), "client address limited")
}
