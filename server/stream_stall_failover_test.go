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

// A Responses stream whose provider sends response.created and then
// nothing is a stuck provider, not a begun answer: the client gets the
// next model's answer, and the decision log says the router's pick
// stalled and which model answered.
func TestAResponsesStreamThatStallsAfterResponseCreatedIsAnsweredByTheNextModel(t *testing.T) {
	e := newE2E(t, func(cfg *Config) {
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		fwd.AttemptTimeout, fwd.Deadline = 300*time.Millisecond, 5*time.Second
	})
	e.openai.Set("mini", upstreamtest.Behavior{Stall: true, StallAfter: 1})
	client := e.clients()["v1"]

	stream := client.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Write a haiku about routers")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"mini", "large"}}))
	done := completedResponse(t, stream)

	assert.Equal(t, "large", done.Model)
	assert.Equal(t, "Hello from large.", done.OutputText())
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "mini", rec.Decision.ChosenID)
	assert.Equal(t, "large", rec.Answered)
	assert.Equal(t, 200, rec.Status)
	require.Len(t, rec.Attempts, 2)
	assert.Equal(t, "mini", rec.Attempts[0].Model)
	assert.Contains(t, rec.Attempts[0].Error, "timeout: no answer begun within 300ms")
	assert.Equal(t, "large", rec.Attempts[1].Model)
}
