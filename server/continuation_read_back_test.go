package server

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An OpenAI model's answer to a continuation of a kept answer is stored by
// OpenAI, which got the conversation whole and no previous_response_id,
// and so stores null. Read back by id, as JSON or as a background
// answer's events, it names the answer it continued all the same, as its
// call's answer did: the decision log says which, also after a restart.
// An answer that continued nothing still reads null.
func TestAnOpenAIAnswerToAContinuationOfAKeptAnswerReadsBackNamingIt(t *testing.T) {
	kept := &memResponses{}
	withLog := func(c *Config) { c.Responses, c.Answers = kept, e2eLogOf(c) }
	e := newE2E(t, withLog)
	client := e.clients()["v1"]
	ctx := context.Background()
	after := func(prev string) responses.ResponseNewParams {
		p := ask("And its depth?")
		p.PreviousResponseID = openai.String(prev)
		return p
	}

	first, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	alone, err := client.Responses.New(ctx, ask("Name a river."), onModel("mini"))
	require.NoError(t, err)
	next, err := client.Responses.New(ctx, after(first.ID), onModel("mini"))
	require.NoError(t, err)
	require.Equal(t, "mini", next.Model)
	require.Equal(t, first.ID, next.PreviousResponseID, "as JSON")
	bgCall := after(first.ID)
	bgCall.Background = openai.Bool(true)
	bg, err := client.Responses.New(ctx, bgCall, onModel("mini"))
	require.NoError(t, err)
	require.Equal(t, first.ID, bg.PreviousResponseID, "as JSON")

	reads := func(when string) {
		t.Helper()
		read, err := client.Responses.Get(ctx, next.ID, responses.ResponseGetParams{})
		require.NoError(t, err)
		assert.Equal(t, first.ID, read.PreviousResponseID, "read back by id, %s", when)

		stream := client.Responses.GetStreaming(ctx, bg.ID, responses.ResponseGetParams{})
		var named []string
		for stream.Next() {
			if ev := stream.Current(); ev.Response.ID != "" {
				named = append(named, ev.Type+" "+ev.Response.PreviousResponseID)
			}
		}
		require.NoError(t, stream.Err())
		require.NotEmpty(t, named)
		for _, n := range named {
			assert.Contains(t, n, " "+first.ID, "a background answer's events read back, %s", when)
		}

		read, err = client.Responses.Get(ctx, alone.ID, responses.ResponseGetParams{})
		require.NoError(t, err)
		assert.Equal(t, "null", read.JSON.PreviousResponseID.Raw(), "an answer that continued nothing, %s", when)
	}
	reads("from memory")

	e.log.waitFor(t, 4)
	e.start(t, withLog) // a new process: only the decision log knows
	client = e.clients()["v1"]
	reads("after a restart")
}
