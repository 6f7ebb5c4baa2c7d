package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A conversation the gateway keeps is sent whole, so any model can answer
// its next turn; staying on the model that answered last is session
// affinity, which routing_config.session_affinity: false turns off, as it
// does for an item_reference to a kept answer. Such a turn is routed by
// the mode alone (mini, Balanced's pick), and the answer does not claim
// session affinity chose it.
func TestKeptContinuationWithSessionAffinityOffIsRoutedByTheMode(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
	ctx := context.Background()
	client := e.clients()["v1"]
	first, err := client.Responses.New(ctx, ask("Name a river."), onModel("claude"))
	require.NoError(t, err)
	require.Equal(t, "claude", first.Model)

	next := func(opts ...option.RequestOption) (string, any) {
		t.Helper()
		resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
			Model: "model-router", PreviousResponseID: openai.String(first.ID),
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Another one.")},
		}, opts...)
		require.NoError(t, err)
		return resp.Model, selection(t, extraOf(resp.JSON.ExtraFields))["session_affinity"]
	}
	model, affinity := next()
	require.Equal(t, "claude", model, "by default the conversation stays on the model that answered it")
	require.Equal(t, true, affinity)

	model, affinity = next(option.WithJSONSet("routing_config", map[string]any{"session_affinity": false}))
	assert.Equal(t, "mini", model, "session_affinity false still kept the conversation on its last model")
	assert.Equal(t, false, affinity)
}
