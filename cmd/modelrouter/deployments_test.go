package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// deploymentsMemStore is an in-memory manage.Store.
type deploymentsMemStore struct {
	mu sync.Mutex
	m  map[string]json.RawMessage
}

func (s *deploymentsMemStore) PutDeployment(_ context.Context, name string, r json.RawMessage) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[name]
	s.m[name] = r
	return !ok, nil
}

func (s *deploymentsMemStore) GetDeployment(_ context.Context, name string) (store.StoredDeployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.m[name]; ok {
		return store.StoredDeployment{Name: name, Resource: r}, nil
	}
	return store.StoredDeployment{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
}

func (s *deploymentsMemStore) ListDeployments(context.Context) ([]store.StoredDeployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.StoredDeployment
	for n, r := range s.m {
		out = append(out, store.StoredDeployment{Name: n, Resource: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *deploymentsMemStore) DeleteDeployment(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; !ok {
		return router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
	delete(s.m, name)
	return nil
}

// startManagementAPI serves the management API over an in-memory store with
// adminKey, and points the CLI at it through MODELROUTER_URL.
func startManagementAPI(t *testing.T, adminKey string) {
	t.Helper()
	startManagementAPIOn(t, &deploymentsMemStore{m: map[string]json.RawMessage{}}, adminKey)
}

// startManagementAPIOn is startManagementAPI over st, at the paths serve
// mounts the CLI's calls under.
func startManagementAPIOn(t *testing.T, st manage.Store, adminKey string) {
	t.Helper()
	gin.SetMode(gin.TestMode)
	cat, err := models.Catalog()
	require.NoError(t, err)
	eng := gin.New()
	api := manage.New(manage.Config{Store: st, Catalog: cat, AdminKey: adminKey})
	api.Register(eng.Group(manage.MountPath))
	// As serve mounts it, for Azure's pause and resume actions.
	api.RegisterAzure(eng)
	srv := httptest.NewServer(eng)
	t.Cleanup(srv.Close)
	t.Setenv("MODELROUTER_URL", srv.URL)
}

func TestDeploymentsCommand(t *testing.T) {
	startManagementAPI(t, "secret")
	t.Setenv(manage.EnvAdminKey, "secret")

	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"deployments"}, args...), &out, &errOut)
		return out.String(), err
	}

	out, err := cli("put", "mr", "--mode", "cost", "--models", "gpt-4.1-2025-04-14, gpt-5-mini-2025-08-07", "--capacity", "20")
	require.NoError(t, err)
	var r manage.Resource
	require.NoError(t, json.Unmarshal([]byte(out), &r))
	assert.Equal(t, "cost", r.Properties.Routing.Mode)
	assert.Equal(t, []router.Ref{{Format: "OpenAI", Name: "gpt-4.1", Version: "2025-04-14"}, {Format: "OpenAI", Name: "gpt-5-mini", Version: "2025-08-07"}}, *r.Properties.Routing.Models)
	assert.Equal(t, 20, r.SKU.Capacity)

	_, err = cli("put", "--model", "claude-haiku-4-5", "haiku")
	require.NoError(t, err, "flags before the name, a model by its unique name")

	out, err = cli("list")
	require.NoError(t, err)
	assert.Contains(t, out, "NAME")
	assert.Regexp(t, `(?m)^haiku\s+claude-haiku-4-5\s+20251001\s+-\s+GlobalStandard\s+10\s+-$`, out)
	assert.Regexp(t, `(?m)^model-router\s+model-router\s+2025-11-18\s+balanced\s+GlobalStandard\s+10\s+all$`, out)
	assert.Regexp(t, `(?m)^mr\s+model-router\s+2025-11-18\s+cost\s+GlobalStandard\s+20\s+gpt-4.1-2025-04-14,gpt-5-mini-2025-08-07$`, out)

	out, err = cli("get", "mr")
	require.NoError(t, err)
	assert.Contains(t, out, `"mode": "cost"`)

	_, err = cli("put", "mr", "--mode", "fast")
	assert.ErrorContains(t, err, "400 Bad Request (InvalidRoutingMode): unknown routing mode \"fast\"")
	_, err = cli("put", "mr", "--models", "gpt-9")
	assert.ErrorContains(t, err, `no model "gpt-9"`)
	_, err = cli("put", "mr", "--model", "gpt-4.1")
	assert.ErrorContains(t, err, "(InvalidModel)", "gpt-4.1 needs no deployment of its own")

	require.NoError(t, func() error { _, err := cli("delete", "mr"); return err }())
	_, err = cli("get", "mr")
	assert.ErrorContains(t, err, "404 Not Found (DeploymentNotFound)")

	_, err = cli("list", "--admin-key", "wrong")
	assert.ErrorContains(t, err, "401")
	_, err = cli("get")
	assert.ErrorContains(t, err, "exactly one deployment name")
	_, err = cli("frobnicate")
	assert.ErrorContains(t, err, `unknown subcommand "frobnicate"`)
	_, err = cli("list", "--url", "http://127.0.0.1:1")
	assert.ErrorContains(t, err, "is `modelrouter serve` running")
}
