package upstream_test

// A Messages client answered by an OpenAI-compatible model gets its
// provider's Chat Completions stream translated. An error chunk is that
// provider's last word on the answer, as it is for a Chat Completions
// client: before the answer begins it leaves the call to the next model,
// whatever form it takes.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

const streamMessagesBody = `{"model":"router","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}`

// OpenRouter reports a failure as an error chunk that also carries
// finish_reason "error"; right after the role chunk nothing of an answer
// has gone out, so the next model answers, as for a Chat Completions client.
func TestAMessagesStreamWhoseChatProviderFailsRightAfterItsRoleChunkIsAnsweredByTheNextModel(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x", sseData(roleChunk), sseData(fmt.Sprintf(errorFinishChunk, "gpt-x")))
	o.set("gpt-y", chatChunkText("gpt-y", "Hi"), sseData(fmt.Sprintf(finishChunk, "gpt-y")), sseData("[DONE]"))
	g := newGateway(t, scriptedForwarder(o, nil), upstream.APIMessages, openAIModel("gpt-x"), openAIModel("gpt-y"))

	_, _, body := g.post(t, "/messages", streamMessagesBody)

	out := g.outcome(t)
	assert.Equal(t, "gpt-y-id", out.Answered.ID, "%s", body)
	require.Len(t, out.Attempts, 2, "%+v", out.Attempts)
	assert.Contains(t, out.Attempts[0].Error, "sent an error: Provider disconnected unexpectedly")
	frames := dataFrames(t, body)
	require.NotEmpty(t, frames)
	assert.Contains(t, frames[0], `"model":"gpt-y-id"`, "the client's one message_start is the answering model's")
	assert.Equal(t, 1, strings.Count(string(body), "event: message_start"), "%s", body)
	assert.NotContains(t, string(body), "event: error")
}
