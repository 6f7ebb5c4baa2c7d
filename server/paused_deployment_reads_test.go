package server

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// Pausing a deployment stops new calls through it, not what its calls
// began: a background job it started before is still read to its end by
// id, and another is still cancelled, since a read by id names no
// deployment, and an admin who pauses a deployment to stop its spend
// wants to cancel what is under way and keep what was paid for.
func TestAnswersBeganThroughADeploymentAreReadAndCancelledAfterItIsPaused(t *testing.T) {
	e, st := newBookingE2E(t, 0, func(c *Config, st *store.Store) { c.Deployments = manage.NewSource(st, testCatalog()) })
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done."})
	client := e.clients()["v1"]
	ctx := context.Background()
	read, cancel := startBackground(t, e), startBackground(t, e)

	_, err := st.PutDeployment(ctx, "model-router", json.RawMessage(pausedRouter))
	require.NoError(t, err)
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/responses", `{"model": "model-router", "input": "hi"}`)
	require.Equal(t, http.StatusLocked, status, "paused: %s", body)
	assert.Equal(t, router.EDeploymentPaused, *errorOf(t, body).Error.Code)

	for _, want := range []responses.ResponseStatus{responses.ResponseStatusInProgress, responses.ResponseStatusCompleted} {
		got, err := client.Responses.Get(ctx, read, responses.ResponseGetParams{})
		require.NoError(t, err)
		require.Equal(t, want, got.Status)
	}
	cancelled, err := client.Responses.Cancel(ctx, cancel)
	require.NoError(t, err)
	assert.Equal(t, responses.ResponseStatusCancelled, cancelled.Status)
}
