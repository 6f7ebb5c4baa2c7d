package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestDeploymentsCRUD(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	t1, t2 := sampleTime, sampleTime.Add(time.Hour)
	s.Now = func() time.Time { return t1 }

	// Stored byte for byte, whitespace and key order included.
	first := json.RawMessage(`{"sku": {"name": "GlobalStandard", "capacity": 10},  "properties": {"model": {"name": "model-router"}}}`)
	created, err := s.PutDeployment(ctx, "router-a", first)
	require.NoError(t, err)
	assert.True(t, created)
	_, err = s.PutDeployment(ctx, "router-b", json.RawMessage(`{}`))
	require.NoError(t, err)

	got, err := s.GetDeployment(ctx, "router-a")
	require.NoError(t, err)
	assert.Equal(t, string(first), string(got.Resource))

	s.Now = func() time.Time { return t2 }
	second := json.RawMessage(`{"sku":{"name":"GlobalStandard","capacity":20}}`)
	created, err = s.PutDeployment(ctx, "router-a", second)
	require.NoError(t, err)
	assert.False(t, created, "a second put replaces")

	list, err := s.ListDeployments(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "router-a", list[0].Name)
	assert.Equal(t, string(second), string(list[0].Resource))
	assert.True(t, list[0].Created.Equal(t1), "created stays at the first put")
	assert.True(t, list[0].Updated.Equal(t2))
	assert.Equal(t, "router-b", list[1].Name)

	require.NoError(t, s.DeleteDeployment(ctx, "router-a"))
	_, err = s.GetDeployment(ctx, "router-a")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
	err = s.DeleteDeployment(ctx, "router-a")
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
	list, err = s.ListDeployments(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

func TestPutDeploymentRejects(t *testing.T) {
	s := MustOpen(t)
	tests := []struct {
		name, dep, body string
	}{
		{"empty name", "", `{}`},
		{"not JSON", "x", `{"sku":`},
		{"empty body", "x", ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutDeployment(context.Background(), tt.dep, json.RawMessage(tt.body))
			assert.Equal(t, router.EInvalid, router.ErrorCode(err))
		})
	}
	list, err := s.ListDeployments(context.Background())
	require.NoError(t, err)
	assert.Empty(t, list)
}
