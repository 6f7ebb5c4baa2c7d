package server

import (
	"context"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A background answer streamed while its job waits in the provider's
// queue (response.created, response.queued, then nothing for longer than
// the attempt timeout) is a job the provider has made, not a stuck
// provider: the client gets response.created at once, can read and cancel
// the job by its id through the gateway while the stream is still open,
// and no other model is asked to make a second job.
func TestE2EBackgroundStreamStillQueuedStaysWithTheModelThatQueuedIt(t *testing.T) {
	e := newE2E(t, func(cfg *Config) {
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		fwd.AttemptTimeout, fwd.Deadline = 300*time.Millisecond, 5*time.Second
	})
	e.openai.Set("mini", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	client := e.clients()["v1"]
	ctx, leave := context.WithCancel(context.Background())
	defer leave()
	bg := ask("A long report, please.")
	bg.Background = openai.Bool(true)

	stream := client.Responses.NewStreaming(ctx, bg,
		option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini", "large"}}))
	require.True(t, stream.Next(), "%v", stream.Err())
	created := stream.Current()
	require.Equal(t, "response.created", created.Type)
	assert.Equal(t, "mini", created.Response.Model, "the job the router's pick queued")
	assert.Equal(t, responses.ResponseStatusQueued, created.Response.Status)
	assert.Contains(t, created.RawJSON(), `"model_selection_details"`)
	id := created.Response.ID

	got, err := client.Responses.Get(context.Background(), id, responses.ResponseGetParams{})
	require.NoError(t, err, "the job is read by its id while its stream is open")
	assert.Equal(t, "mini", got.Model)
	assert.NotEqual(t, responses.ResponseStatusCompleted, got.Status)
	cancelled, err := client.Responses.Cancel(context.Background(), id)
	require.NoError(t, err, "the job is cancelled by its id while its stream is open")
	assert.Equal(t, responses.ResponseStatusCancelled, cancelled.Status)

	leave()
	for stream.Next() {
	}
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "mini", rec.Answered)
	require.Len(t, rec.Attempts, 1, "no failover once the job exists")
	assert.Empty(t, e.openai.RequestsFor("large"), "no second job at another model")
}
