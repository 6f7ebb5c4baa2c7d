package server

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Claude tool call with no input (a tool without parameters: Claude
// streams only empty input_json_delta fragments) reaches a Responses
// client as the arguments "{}", and the stream's deltas add up to them:
// a client that builds the arguments from function_call_arguments.delta,
// as OpenAI's streams let it, gets the same object as the .done event and
// the output item, not an empty string that is no JSON.
func TestAClaudeCallWithoutArgumentsStreamsItsArgumentsAsDeltas(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{ToolCall: &upstreamtest.ToolCall{ID: "toolu_1", Name: "now", Arguments: ""}})
	client := e.clients()["v1"]
	stream := client.Responses.NewStreaming(context.Background(), ask("What time is it?"), onModel("claude"))
	var deltas strings.Builder
	var done, itemDone, completed string
	for stream.Next() {
		switch ev := stream.Current(); ev.Type {
		case "response.function_call_arguments.delta":
			deltas.WriteString(ev.Delta)
		case "response.function_call_arguments.done":
			done = ev.Arguments
		case "response.output_item.done":
			itemDone = ev.Item.Arguments.OfString
		case "response.completed":
			require.Len(t, ev.Response.Output, 1)
			completed = ev.Response.Output[0].Arguments.OfString
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "{}", done, "function_call_arguments.done")
	assert.Equal(t, done, deltas.String(), "the deltas add up to the arguments")
	assert.Equal(t, done, itemDone, "output_item.done")
	assert.Equal(t, done, completed, "response.completed")
}
