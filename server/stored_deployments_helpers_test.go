package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// pausedRouter is a stored router deployment of the whole version,
// paused.
const pausedRouter = `{"sku": {"name": "GlobalStandard", "capacity": 10},
  "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "v1"}, "deploymentState": "Paused"}}`

// deploymentStore is a fresh store holding each of put (name → body).
func deploymentStore(t *testing.T, put map[string]string) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "d.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	for name, body := range put {
		_, err = st.PutDeployment(context.Background(), name, json.RawMessage(body))
		require.NoError(t, err)
	}
	return st
}

// storedE2E is a gateway whose deployments are those of
// deploymentStore(put), as serve has them (manage.Source); opts set the
// rest of its config.
func storedE2E(t *testing.T, put map[string]string, opts ...func(*Config)) *e2e {
	t.Helper()
	st := deploymentStore(t, put)
	withSource := func(c *Config) { c.Deployments = manage.NewSource(st, testCatalog()) }
	return newE2E(t, append([]func(*Config){withSource}, opts...)...)
}

// managedE2E is storedE2E with no deployment yet and the management API
// mounted, on the gateway's paths and Azure's, under adminKey.
func managedE2E(t *testing.T, adminKey string) *e2e {
	t.Helper()
	st := deploymentStore(t, nil)
	mgmt := manage.New(manage.Config{Store: st, Catalog: testCatalog(), AdminKey: adminKey})
	return newE2E(t, func(c *Config) {
		c.Deployments = manage.NewSource(st, testCatalog())
		c.Mount = func(g *gin.Engine) { mgmt.Register(g); mgmt.RegisterAzure(g) }
	})
}
