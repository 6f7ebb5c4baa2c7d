package upstream_test

import (
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// An OpenAI model's refusal (its answer in `refusal`, as structured
// outputs refuse, with finish_reason "stop") stops a Messages answer for
// refusal, as Claude's does: clients branch on stop_reason (LangChain's
// withStructuredOutput raises its refusal error) instead of parsing the
// refusal's text as the JSON they asked for.
func TestMessagesTranslatedRefusalStopsForRefusal(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "stream"}[stream], func(t *testing.T) {
			f := newFakes(t)
			f.openai.Set("model-a", upstreamtest.Behavior{Refusal: "I can't help with that."})
			g := newGateway(t, f.fwd, upstream.APIMessages, openAIModel("model-a"))
			c := messagesClient(g)
			msg := helloMessage(t, c, stream)
			require.Equal(t, anthropic.StopReasonRefusal, msg.StopReason, msg.RawJSON())
			require.Len(t, msg.Content, 1)
			require.Equal(t, "I can't help with that.", msg.Content[0].Text, "the refusal's words")
			g.outcome(t)
		})
	}
}
