package upstreamtest_test

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A streamed Responses answer carries the events OpenAI sends, which
// clients build the answer from (openai-node's responses.stream() reads
// response.output, the AI SDK opens a text part at output_item.added): each
// item is announced, filled and closed, and the last event holds the whole
// response.
func TestResponsesStreamSendsEveryItemEvent(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("gpt-r", upstreamtest.Behavior{Reply: "Let me look.", TextFirst: true,
		ToolCall: &upstreamtest.ToolCall{ID: "call_1", Name: "lookup", Arguments: `{"city":"Paris"}`}})
	c := openAIClient(f)
	stream := c.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "gpt-r", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("weather?")},
	})
	var types []string
	var text, args string
	var last responses.Response
	for i := 0; stream.Next(); i++ {
		ev := stream.Current()
		require.EqualValues(t, i, ev.SequenceNumber, ev.Type)
		types = append(types, ev.Type)
		switch ev.Type {
		case "response.created":
			assert.Equal(t, "[]", ev.Response.JSON.Output.Raw(), "the response starts with no items, not null")
		case "response.output_item.added":
			assert.Equal(t, "in_progress", ev.Item.Status)
		case "response.output_text.delta":
			text += ev.Delta
		case "response.output_text.done":
			assert.Equal(t, text, ev.Text)
		case "response.function_call_arguments.delta":
			args += ev.Delta
		case "response.function_call_arguments.done":
			assert.Equal(t, args, ev.Arguments)
		case "response.completed":
			last = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, []string{
		"response.created", "response.in_progress",
		"response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
		"response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
		"response.function_call_arguments.done", "response.output_item.done",
		"response.completed",
	}, types)
	assert.Equal(t, "Let me look.", text)
	assert.JSONEq(t, `{"city":"Paris"}`, args)

	require.Len(t, last.Output, 2)
	assert.Equal(t, "Let me look.", last.OutputText())
	call := last.Output[1]
	assert.Equal(t, "function_call", call.Type)
	assert.Equal(t, "call_1", call.CallID)
	assert.Equal(t, `{"city":"Paris"}`, call.Arguments.OfString)
	assert.NotEqual(t, last.Output[0].ID, call.ID)
	assert.EqualValues(t, 1, last.Usage.InputTokens)
	assert.Positive(t, last.Usage.OutputTokens)
}

// A background answer asked for as a stream opens as OpenAI opens it
// (response.created with the response queued, response.queued, then
// response.in_progress), and reading it by id from starting_after gives
// the events after that number, numbered as when it was made.
func TestBackgroundStreamAndItsReplayNumberEventsAlike(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("gpt-r", upstreamtest.Behavior{Reply: "one two three"})
	c := openAIClient(f)
	ctx := context.Background()
	stream := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: "gpt-r", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("a long job")},
		Background: openai.Bool(true),
	})
	var made []responses.ResponseStreamEventUnion
	for stream.Next() {
		made = append(made, stream.Current())
	}
	require.NoError(t, stream.Err())
	require.Greater(t, len(made), 4)
	assert.Equal(t, []string{"response.created", "response.queued", "response.in_progress"},
		[]string{made[0].Type, made[1].Type, made[2].Type})
	assert.Equal(t, responses.ResponseStatusQueued, made[0].Response.Status)
	assert.True(t, made[len(made)-1].Response.Background, "the response says it is a background one")
	for i, ev := range made {
		require.EqualValues(t, i, ev.SequenceNumber, ev.Type)
	}

	id := made[0].Response.ID
	// The fake reads stream from the query, as the gateway sends it (the
	// SDK sends it in a GET's body).
	replay := c.Responses.GetStreaming(ctx, id, responses.ResponseGetParams{StartingAfter: openai.Int(3)},
		option.WithQuery("stream", "true"))
	var got []string
	for i := 4; replay.Next(); i++ {
		ev := replay.Current()
		require.EqualValues(t, i, ev.SequenceNumber, ev.Type)
		require.Equal(t, made[i].RawJSON(), ev.RawJSON(), "the event that had this number")
		got = append(got, ev.Type)
	}
	require.NoError(t, replay.Err())
	assert.Len(t, got, len(made)-4)
}

// A background answer whose stream stalls in its opening is a job still in
// the provider's queue: read by id meanwhile it is not done, and it can be
// cancelled.
func TestBackgroundStreamStalledInItsOpeningStaysQueued(t *testing.T) {
	f := upstreamtest.NewOpenAI(t)
	f.Set("gpt-r", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	c := openAIClient(f)
	ctx, leave := context.WithCancel(context.Background())
	defer leave()
	stream := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: "gpt-r", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("a long job")},
		Background: openai.Bool(true),
	})
	require.True(t, stream.Next(), "%v", stream.Err())
	created := stream.Current()
	require.Equal(t, "response.created", created.Type)

	got, err := c.Responses.Get(context.Background(), created.Response.ID, responses.ResponseGetParams{})
	require.NoError(t, err)
	assert.NotEqual(t, responses.ResponseStatusCompleted, got.Status)
	cancelled, err := c.Responses.Cancel(context.Background(), created.Response.ID)
	require.NoError(t, err)
	assert.Equal(t, responses.ResponseStatusCancelled, cancelled.Status)
}
