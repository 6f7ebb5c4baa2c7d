package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// OpenAI's response object names the response it continues
// (previous_response_id, null for none). A continuation of an answer the
// gateway keeps reaches its model as the whole conversation, without the
// id; its answer names the id all the same: as JSON, in every response
// object of a stream, and read back by id, whether Claude answers or, for
// a call that leaves Claude out, an OpenAI model.
func TestAContinuationOfAKeptAnswerNamesTheResponseItContinues(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Responses = &memResponses{} })
	client := e.clients()["v1"]
	ctx := context.Background()
	after := func(prev string) responses.ResponseNewParams {
		p := ask("And its depth?")
		p.PreviousResponseID = openai.String(prev)
		return p
	}

	first, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	assert.Equal(t, "null", first.JSON.PreviousResponseID.Raw(), "a first turn continues nothing: null, as OpenAI's")

	for _, m := range []string{"claude", "mini"} {
		whole, err := client.Responses.New(ctx, after(first.ID), onModel(m))
		require.NoError(t, err)
		require.Equal(t, m, whole.Model)
		assert.Equal(t, first.ID, whole.PreviousResponseID, "%s, as JSON", m)

		stream := client.Responses.NewStreaming(ctx, after(first.ID), onModel(m))
		var named []string
		for stream.Next() {
			if ev := stream.Current(); ev.Response.ID != "" {
				named = append(named, ev.Type+" "+ev.Response.PreviousResponseID)
			}
		}
		require.NoError(t, stream.Err())
		assert.Equal(t, []string{
			"response.created " + first.ID, "response.in_progress " + first.ID, "response.completed " + first.ID,
		}, named, "%s, streamed", m)
	}

	second, err := client.Responses.New(ctx, after(first.ID), onModel("claude"))
	require.NoError(t, err)
	read, err := client.Responses.Get(ctx, second.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.Equal(t, first.ID, read.PreviousResponseID, "read back by id")
}
