package main

// README "Metrics: GET /metrics": with MODELROUTER_METRICS_KEY (its _FILE,
// or metrics_key in the config file) set, /metrics needs that key as
// "Authorization: Bearer <key>"; unset, it needs none.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrape GETs /metrics with key as a bearer token ("" for none) and
// returns the status and body.
func scrape(t *testing.T, base, key string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

const (
	testMetricsKey = "metrics-key-0123456789abcdef"
	testAdminKey   = "admin-key-0123456789abcdef"
)

// The scraper's key opens /metrics; no key, a wrong one and the admin key
// (which manages deployments, so a scrape config should not hold it) get
// 401 in the gateway's error shape, each counted as metrics_unauthorized.
func TestServeMetricsNeedTheMetricsKeyWhenOneIsSet(t *testing.T) {
	base, refused := startServeFromEnv(t, []string{"--require-keys"}, []string{
		EnvMetricsKey + "_FILE=" + writeSecret(t, testMetricsKey+"\n"),
		"MODELROUTER_ADMIN_KEY=" + testAdminKey,
	})
	require.NoError(t, refused)

	for name, key := range map[string]string{"no key": "", "a wrong key": "not-the-metrics-key", "the admin key": testAdminKey} {
		status, body := scrape(t, base, key)
		require.Equal(t, http.StatusUnauthorized, status, "%s: %s", name, body)
		var shape struct {
			Error struct{ Code, Type, Message string }
		}
		require.NoError(t, json.Unmarshal([]byte(body), &shape), "%s: %s", name, body)
		assert.Equal(t, "unauthorized", shape.Error.Code, name)
		assert.Equal(t, "authentication_error", shape.Error.Type, name)
		assert.Contains(t, shape.Error.Message, "Authorization: Bearer <metrics key>", name)
		assert.NotContains(t, body, "modelrouter_", "%s: no metric shows", name)
	}

	status, body := scrape(t, base, testMetricsKey)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `modelrouter_refused_requests_total{reason="metrics_unauthorized"} 3`+"\n")
	assert.NotContains(t, body, `reason="admin_unauthorized"`, "a refused scrape is not a refused admin key")
}

// Wrong metrics keys count against their address with wrong admin keys:
// after 10 distinct ones, the address gets 429 on /metrics (the right key
// included) and on the management API, until its minute is over.
func TestServeWrongMetricsKeysShareTheAdminKeyLimit(t *testing.T) {
	base, refused := startServeFromEnv(t, nil, []string{
		EnvMetricsKey + "=" + testMetricsKey,
		"MODELROUTER_ADMIN_KEY=" + testAdminKey,
	})
	require.NoError(t, refused)

	status, _ := scrape(t, base, testAdminKey)
	require.Equal(t, http.StatusUnauthorized, status)
	for i := range 9 {
		status, _ := scrape(t, base, fmt.Sprintf("metrics-guess-%d", i))
		require.Equal(t, http.StatusUnauthorized, status)
	}
	status, _ = scrape(t, base, testMetricsKey)
	require.Equal(t, http.StatusOK, status, "the admin key sent to /metrics is no guess: 9 wrong keys so far")

	status, _ = scrape(t, base, "metrics-guess-9")
	require.Equal(t, http.StatusUnauthorized, status)
	status, body := scrape(t, base, testMetricsKey)
	assert.Equal(t, http.StatusTooManyRequests, status, "the address is limited: %s", body)
	assert.Contains(t, body, "too_many_failed_authentications")

	req, err := http.NewRequest(http.MethodGet, base+"/deployments", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode, "the limit holds on the management API too")
}

// Without a metrics key /metrics needs none, with --require-keys and an
// admin key set too, as before the key existed.
func TestServeMetricsNeedNoKeyWhenNoneIsSet(t *testing.T) {
	base, refused := startServeFromEnv(t, []string{"--require-keys"}, []string{"MODELROUTER_ADMIN_KEY=" + testAdminKey})
	require.NoError(t, refused)
	status, body := scrape(t, base, "")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "modelrouter_router_model_info")
}

// metrics_key in the config file works as admin_key does: ${VAR} names a
// variable, and MODELROUTER_METRICS_KEY beats the file.
func TestServeReadsTheMetricsKeyFromTheConfigFile(t *testing.T) {
	path := writeConfig(t, `{"metrics_key": "${SCRAPE_KEY}"}`)
	base, refused := startServeFromEnv(t, []string{"--config", path}, []string{"SCRAPE_KEY=" + testMetricsKey})
	require.NoError(t, refused)
	status, _ := scrape(t, base, "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, body := scrape(t, base, testMetricsKey)
	assert.Equal(t, http.StatusOK, status, body)

	o, err := parseServeArgs([]string{"--config", path}, []string{"SCRAPE_KEY=" + testMetricsKey, EnvMetricsKey + "=from-env-0123456789"}, io.Discard)
	require.NoError(t, err)
	key, from := o.resolvedMetricsKey()
	assert.Equal(t, "from-env-0123456789", key, "the environment beats the file")
	assert.Equal(t, EnvMetricsKey, from)
}

// A metrics key that is the admin key would hand a scraper the management
// API: serve refuses to start, naming the setting, never the key.
func TestServeRefusesAMetricsKeyThatIsTheAdminKey(t *testing.T) {
	_, err := parseServeArgs(nil, []string{EnvMetricsKey + "=" + testAdminKey, "MODELROUTER_ADMIN_KEY= " + testAdminKey + "\n"}, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), EnvMetricsKey+": the same as the admin key")
	assert.False(t, strings.Contains(err.Error(), testAdminKey), "the key never shows: %s", err)
}
