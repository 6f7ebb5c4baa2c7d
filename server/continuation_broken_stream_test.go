package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Claude answer whose stream broke off is not kept (its end never came),
// though its client has its id from response.created. Continuing it, or
// reading it, says that is why, not a store: false the call never set.
func TestAClaudeAnswerWhoseStreamBrokeOffSaysWhyItIsNotKept(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
	ctx := context.Background()
	client := e.clients()["v1"]
	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "one two three four five", CutAfter: 5})
	stream := client.Responses.NewStreaming(ctx, ask("Name a river."), onModel("claude"))
	id, broke := "", false
	for stream.Next() {
		switch ev := stream.Current(); ev.Type {
		case "response.created":
			id = ev.Response.ID
		case "error":
			broke = true
		}
	}
	require.NotEmpty(t, id)
	require.True(t, broke, "the stream ends with an error event")
	e.log.waitFor(t, 1)

	_, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(id),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("go on")},
	})
	apiErr := requireStatus(t, err, http.StatusBadRequest)
	assert.Equal(t, "previous_response_id", apiErr.Param)
	assert.Contains(t, apiErr.Message, "broke off")

	_, err = client.Responses.Get(ctx, id, responses.ResponseGetParams{})
	apiErr = requireStatus(t, err, http.StatusNotFound)
	assert.Contains(t, apiErr.Message, "broke off")
}
