package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// A background job the client cancels through the gateway has no answer:
// rating it, at once after the cancel and by either id the client holds,
// is a 400 on request_id in OpenAI's error shape that says the job ended
// cancelled, as a rating of a call every upstream failed is refused. The
// log keeps how the job ended. A job read to its end is rated as before.
func TestABackgroundJobCancelledThroughTheGatewayCannotBeRated(t *testing.T) {
	e, st := newBookingE2E(t, 0, func(c *Config, st *store.Store) { c.Feedback = st })
	e.openai.Set("large", upstreamtest.Behavior{Reply: "The report is done."})
	client := e.clients()["v1"]
	ctx := context.Background()

	id := startBackground(t, e)
	requestID := loggedRow(t, st, id).RequestID
	cancelled, err := client.Responses.Cancel(ctx, id)
	require.NoError(t, err)
	require.Equal(t, responses.ResponseStatusCancelled, cancelled.Status)
	for _, ref := range []string{id, requestID} {
		status, _, body := postRaw(t, e, http.MethodPost, "/v1/feedback", `{"request_id":"`+ref+`","score":0}`)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", ref, body)
		we := errorOf(t, body)
		assert.Equal(t, "invalid_request_error", we.Error.Type, ref)
		if assert.NotNil(t, we.Error.Param, ref) {
			assert.Equal(t, "request_id", *we.Error.Param, ref)
		}
		assert.Contains(t, we.Error.Message, "has no answer to rate: its answer at large ended cancelled before it was done", ref)
	}
	assert.Equal(t, "cancelled", loggedRow(t, st, id).EndedStatus)
	assert.Nil(t, loggedRow(t, st, id).Feedback)

	done := startBackground(t, e)
	for _, want := range []responses.ResponseStatus{responses.ResponseStatusInProgress, responses.ResponseStatusCompleted} {
		got, err := client.Responses.Get(ctx, done, responses.ResponseGetParams{})
		require.NoError(t, err)
		require.Equal(t, want, got.Status)
	}
	status, _, body := postRaw(t, e, http.MethodPost, "/v1/feedback", `{"request_id":"`+done+`","score":1}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	assert.Equal(t, "completed", loggedRow(t, st, done).EndedStatus)
}
