package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// A deployment stored by an earlier build may list only models this
// build's catalog no longer has. Calls to it are refused, but it must not
// take the model list and the calls naming a model by its id down with it:
// clients read GET /v1/models at start, and a model id is resolved through
// the deployments that list it.
func TestADeploymentWhoseModelsAllRetiredLeavesTheOthersListedAndCallable(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	_, err = st.PutDeployment(ctx, "retired", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"},
	  "routing": {"mode": "balanced", "models": [{"format": "OpenAI", "name": "gpt-retired", "version": "1"}]}}}`))
	require.NoError(t, err)
	_, err = st.PutDeployment(ctx, "pair", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"},
	  "routing": {"mode": "balanced", "models": [{"format": "OpenAI", "name": "mini", "version": "1"}, {"format": "OpenAI", "name": "nano", "version": "1"}]}}}`))
	require.NoError(t, err)
	e := newE2E(t, func(c *Config) { c.Deployments = manage.NewSource(st, testCatalog()) })

	send := func(method, path, body string) (int, string) {
		req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e2eKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}

	status, body := send(http.MethodGet, "/v1/models", "")
	require.Equal(t, http.StatusOK, status, body)
	var list struct {
		Data []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &list))
	var deployments []string
	for _, m := range list.Data {
		if m.Kind == "deployment" {
			deployments = append(deployments, m.ID)
		}
	}
	assert.Equal(t, []string{DefaultDeploymentName, "pair"}, deployments)

	status, body = send(http.MethodPost, "/v1/chat/completions", `{"model":"mini","messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusOK, status, "a model named by its id: %s", body)

	status, body = send(http.MethodPost, "/v1/chat/completions", `{"model":"retired","messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, http.StatusBadRequest, status, body)
	assert.Contains(t, body, "no model left to route to")
}
