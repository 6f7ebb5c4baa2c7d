package server

import (
	"context"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A background response's stream that the gateway's silence limit ends
// has not failed: the job goes on at the provider. Its error event says
// so and tells the client to read on by the id rather than send the call
// again (a second job, billed again), and reading on gets the rest.
func TestE2EBackgroundStreamEndedByTheSilenceLimitSaysToReadOnByID(t *testing.T) {
	e := newE2E(t, func(cfg *Config) {
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		fwd.AttemptTimeout, fwd.StreamIdle = 300*time.Millisecond, time.Second
	})
	// The job waits in the provider's queue past the silence limit.
	e.openai.Set("mini", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	client := e.clients()["v1"]
	bg := ask("A long report, please.")
	bg.Background = openai.Bool(true)
	var r resumeReader
	r.read(t, client.Responses.NewStreaming(context.Background(), bg, onModel("mini")))
	require.NotEmpty(t, r.got)
	require.Len(t, r.errors, 1)
	msg := r.errors[0].Message
	assert.Contains(t, msg, "goes on at the provider")
	assert.Contains(t, msg, "starting_after")
	assert.NotContains(t, msg, "broke off", "the provider broke nothing")

	e.openai.Set("mini", upstreamtest.Behavior{})
	r.read(t, client.Responses.GetStreaming(context.Background(), r.got[0].Response.ID,
		responses.ResponseGetParams{StartingAfter: openai.Int(r.last)}))
	require.Len(t, r.errors, 1)
	assert.Equal(t, "response.completed", r.got[len(r.got)-1].Type, "the job went on")
	assert.Len(t, e.openai.RequestsFor("mini"), 2, "one job made, then read on")
}
