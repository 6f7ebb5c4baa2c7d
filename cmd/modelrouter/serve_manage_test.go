package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const subsetDeployment = `{"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "cost", "models": [{"format": "OpenAI", "name": "gpt-4.1", "version": "2025-04-14"}]}}}`

func call(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// TestManagementPaths: the issue's /deployments[/{name}] and the older
// /management prefix serve the same deployments, guarded by the admin key
// from the config file, which MODELROUTER_ADMIN_KEY overrides.
func TestManagementPaths(t *testing.T) {
	tests := []struct {
		name      string
		fileKey   string
		environ   []string
		goodKey   string
		refusedBy string // a key that must be refused, when set
	}{
		{name: "admin key from the config file", fileKey: "file-admin", goodKey: "file-admin"},
		{name: "environment beats the file", fileKey: "file-admin", environ: []string{"MODELROUTER_ADMIN_KEY=env-admin"}, goodKey: "env-admin", refusedBy: "file-admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := upstreamtest.NewOpenAI(t)
			base, _, _ := startServe(t, fake, filepath.Join(t.TempDir(), "m.db"), func(o *serveOptions) {
				o.adminKey = secret(tt.fileKey)
				o.environ = append(o.environ, tt.environ...)
			})
			status, body := call(t, http.MethodPut, base+"/deployments/cheap", tt.goodKey, subsetDeployment)
			require.Equal(t, http.StatusCreated, status, body)

			for _, prefix := range []string{"", "/management"} {
				status, body = call(t, http.MethodGet, base+prefix+"/deployments", tt.goodKey, "")
				assert.Equal(t, http.StatusOK, status, prefix)
				assert.Contains(t, body, `"cheap"`, prefix)
				status, body = call(t, http.MethodGet, base+prefix+"/deployments/cheap", tt.goodKey, "")
				assert.Equal(t, http.StatusOK, status, prefix)
				assert.Contains(t, body, `"mode":"cost"`, prefix)
				status, _ = call(t, http.MethodGet, base+prefix+"/deployments", "", "")
				assert.Equal(t, http.StatusUnauthorized, status, "%s: no key", prefix)
				if tt.refusedBy != "" {
					status, _ = call(t, http.MethodGet, base+prefix+"/deployments", tt.refusedBy, "")
					assert.Equal(t, http.StatusUnauthorized, status, "%s: the overridden key", prefix)
				}
			}
			status, body = call(t, http.MethodDelete, base+"/management/deployments/cheap", tt.goodKey, "")
			require.Less(t, status, 300, body)
			status, _ = call(t, http.MethodGet, base+"/deployments/cheap", tt.goodKey, "")
			assert.Equal(t, http.StatusNotFound, status, "deleted through one path, gone from the other")
		})
	}
}
