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

// No deployment can be created as "unknown" any more, the label /metrics
// gives names that were not found (README "Validation rules"); one a
// database kept from before still serves its calls, logged under its name.
func TestADeploymentStoredAsUnknownBeforeStillServes(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = st.PutDeployment(context.Background(), "Unknown", json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},
	  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"},
	  "routing": {"mode": "balanced", "models": [{"format": "OpenAI", "name": "mini", "version": "1"}, {"format": "OpenAI", "name": "nano", "version": "1"}]}}}`))
	require.NoError(t, err)
	e := newE2E(t, func(c *Config) { c.Deployments = manage.NewSource(st, testCatalog()) })

	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions",
		strings.NewReader(`{"model":"unknown","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	recs := e.log.waitFor(t, 1)
	assert.True(t, recs[0].DeploymentFound)
	assert.Equal(t, "Unknown", recs[0].Decision.Deployment)
	assert.Contains(t, []string{"mini", "nano"}, recs[0].Answered, "routed within its own subset")
}
