package manage_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A deployment stored by a later build may carry a member this build does
// not know (a new setting of the resource). Only a client's PUT body is
// read strictly; a stored one is read for what this build knows, so one
// such row neither hides the list nor stops the built-in deployment from
// routing to the Claude models it finds deployed, and it can be read,
// replaced and deleted.
func TestADeploymentWithAMemberOfALaterBuildIsServed(t *testing.T) {
	e := newEnv(t, adminKey)
	e.mustPut("sonnet", claudeDeployment)
	later := `{"sku": {"name": "GlobalStandard", "capacity": 20}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}, "routing": {"mode": "cost"}, "spilloverDeploymentName": "other"}}`
	_, err := e.store.PutDeployment(context.Background(), "later", json.RawMessage(later))
	require.NoError(t, err)

	ctx := context.Background()
	builtIn, err := e.source.Get(ctx, "model-router")
	require.NoError(t, err)
	assert.Contains(t, builtIn.Models, "claude-sonnet-4-5-20250929")
	d, err := e.source.Get(ctx, "later")
	require.NoError(t, err)
	assert.Equal(t, 20, d.Capacity)
	assert.Equal(t, "cost", string(d.Mode))

	w := e.do(http.MethodGet, "/deployments", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"name":"later"`)
	w = e.do(http.MethodGet, "/deployments/later", "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	w = e.do(http.MethodDelete, "/deployments/later", "")
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
}
