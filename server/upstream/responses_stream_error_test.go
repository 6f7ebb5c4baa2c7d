package upstream_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// The Responses API's `error` stream event carries sequence_number
// (required in openai-go's ResponseErrorEvent, and in OpenAI's reference);
// the gateway's error event after a Claude stream breaks takes the next
// number, so a client that orders or resumes events by it sees it last.
func TestResponsesStreamErrorEventIsNumbered(t *testing.T) {
	for name, b := range map[string]upstreamtest.Behavior{
		"cut":         {CutAfter: 4},
		"error event": {ErrorAfter: 4},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakes(t)
			f.anthropic.Set("claude-x", b)
			g := newGateway(t, f.fwd, upstream.APIResponses, anthropicModel("claude-x"))
			_, _, body := g.post(t, "/responses", `{"model":"router","input":"hi","stream":true}`)
			frames := dataFrames(t, body)
			require.NotEmpty(t, frames)
			last := decode(t, frames[len(frames)-1])
			require.Equal(t, "error", last["type"], string(body))
			require.Contains(t, last, "sequence_number", "error event: %s", frames[len(frames)-1])
			require.EqualValues(t, len(frames)-1, last["sequence_number"], "the error event follows the last event's number")
			g.outcome(t)
		})
	}
}

// When an OpenAI Responses stream, passed through, breaks, the numbers are
// the provider's, and its next event takes the next one: the error event
// repeats the last event's number, so resuming after the error's number
// skips nothing.
func TestPassedResponsesStreamErrorEventIsNumbered(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("gpt-x", upstreamtest.Behavior{CutAfter: 3})
	g := newGateway(t, f.fwd, upstream.APIResponses, openAIModel("gpt-x"))
	_, _, body := g.post(t, "/responses", `{"model":"router","input":"hi","stream":true}`)
	frames := dataFrames(t, body)
	require.Len(t, frames, 4, "%s", body)
	prev := decode(t, frames[len(frames)-2])
	last := decode(t, frames[len(frames)-1])
	require.Equal(t, "error", last["type"], string(body))
	require.Contains(t, prev, "sequence_number")
	require.EqualValues(t, prev["sequence_number"], last["sequence_number"])
	g.outcome(t)
}
