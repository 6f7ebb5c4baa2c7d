package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Deployment names compare without regard to case, as Azure's do: a put
// in another case replaces the deployment, which keeps the name it was
// created with, and any case finds or deletes it.
func TestDeploymentNamesIgnoreCase(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	created, err := s.PutDeployment(ctx, "mr", json.RawMessage(`{"v": 1}`))
	require.NoError(t, err)
	require.True(t, created)

	created, err = s.PutDeployment(ctx, "Mr", json.RawMessage(`{"v": 2}`))
	require.NoError(t, err)
	assert.False(t, created, "Mr is mr")
	list, err := s.ListDeployments(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "mr", list[0].Name)
	assert.JSONEq(t, `{"v": 2}`, string(list[0].Resource))

	got, err := s.GetDeployment(ctx, "MR")
	require.NoError(t, err)
	assert.Equal(t, "mr", got.Name)
	assert.JSONEq(t, `{"v": 2}`, string(got.Resource))

	require.NoError(t, s.DeleteDeployment(ctx, "mR"))
	_, err = s.GetDeployment(ctx, "mr")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
}

// A database written before names compared without case may hold two names
// that differ only in case. Each is still read, replaced and deleted by
// its exact name; a third spelling matches both and is refused, changing
// neither.
func TestOldNamesDifferingOnlyInCaseKeepWorking(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	_, err := s.PutDeployment(ctx, "mr", json.RawMessage(`{"low": 1}`))
	require.NoError(t, err)
	_, err = s.DB().Exec(`INSERT INTO deployments (name, resource, created, updated) VALUES ('Mr', '{"up": 1}', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`)
	require.NoError(t, err)

	got, err := s.GetDeployment(ctx, "Mr")
	require.NoError(t, err)
	assert.JSONEq(t, `{"up": 1}`, string(got.Resource))
	got, err = s.GetDeployment(ctx, "mr")
	require.NoError(t, err)
	assert.JSONEq(t, `{"low": 1}`, string(got.Resource))

	created, err := s.PutDeployment(ctx, "Mr", json.RawMessage(`{"up": 2}`))
	require.NoError(t, err)
	assert.False(t, created)
	got, err = s.GetDeployment(ctx, "mr")
	require.NoError(t, err)
	assert.JSONEq(t, `{"low": 1}`, string(got.Resource), "the exact name was replaced, not its neighbour")

	_, err = s.GetDeployment(ctx, "MR")
	assert.Equal(t, router.EConflict, router.ErrorCode(err))
	_, err = s.PutDeployment(ctx, "MR", json.RawMessage(`{}`))
	assert.Equal(t, router.EConflict, router.ErrorCode(err))
	assert.Equal(t, router.EConflict, router.ErrorCode(s.DeleteDeployment(ctx, "MR")))
	list, err := s.ListDeployments(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 2, "nothing was added or removed")

	require.NoError(t, s.DeleteDeployment(ctx, "mr"))
	got, err = s.GetDeployment(ctx, "MR")
	require.NoError(t, err, "one name is left: any case finds it")
	assert.Equal(t, "Mr", got.Name)
}
