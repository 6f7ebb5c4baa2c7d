package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A write transaction whose check fails after a write keeps nothing of it:
// the check's error comes back as it is, the deployments are as before,
// and readers' cached copies stay valid (DeploymentsVersion does not move).
func TestWriteDeploymentsWhoseCheckFailsWritesNothing(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	_, err := s.PutDeployment(ctx, "sonnet", json.RawMessage(`{"v": 1}`))
	require.NoError(t, err)
	version := s.DeploymentsVersion()

	refused := router.Errorf(router.EConflict, "in use")
	err = s.WriteDeployments(ctx, func(tx *store.DeploymentsTx) error {
		if _, err := tx.PutDeployment(ctx, "mr", json.RawMessage(`{}`)); err != nil {
			return err
		}
		require.NoError(t, tx.DeleteDeployment(ctx, "sonnet"))
		list, err := tx.ListDeployments(ctx)
		require.NoError(t, err)
		require.Len(t, list, 1, "the transaction reads its own writes")
		return refused
	})
	assert.Same(t, refused, err)
	list, err := s.ListDeployments(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "sonnet", list[0].Name)
	assert.Equal(t, version, s.DeploymentsVersion())

	require.NoError(t, s.WriteDeployments(ctx, func(tx *store.DeploymentsTx) error {
		d, err := tx.GetDeployment(ctx, "SONNET")
		require.NoError(t, err)
		_, err = tx.PutDeployment(ctx, d.Name, json.RawMessage(`{"v": 2}`))
		return err
	}))
	d, err := s.GetDeployment(ctx, "sonnet")
	require.NoError(t, err)
	assert.JSONEq(t, `{"v": 2}`, string(d.Resource))
	assert.NotEqual(t, version, s.DeploymentsVersion(), "a committed write moves the version")
}
