package server

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

// An Anthropic-kind server of one's own (or a proxy) may give two answers
// one message id. Claude's answers are kept under ids the gateway makes,
// so a continuation of the second conversation carries the second's
// history, not the first's (a wrong answer with a 200), whether the
// answers were streamed or not; reading and deleting one leaves the other.
func TestClaudeAnswersWithARepeatedMessageIDAreEachContinuedWithTheirOwnConversation(t *testing.T) {
	for _, stream := range []bool{false, true} {
		kept := &memResponses{}
		e := newE2E(t, func(c *Config) { c.Responses = kept })
		client := e.clients()["v1"]
		onClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})
		ask := func(text, reply, previous string) responses.Response {
			t.Helper()
			e.anthropic.Set("claude", upstreamtest.Behavior{Reply: reply, MessageID: "msg_same"})
			params := responses.ResponseNewParams{Model: "model-router",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(text)}}
			if previous != "" {
				params.PreviousResponseID = openai.String(previous)
			}
			if stream {
				return completedResponse(t, client.Responses.NewStreaming(context.Background(), params, onClaude))
			}
			r, err := client.Responses.New(context.Background(), params, onClaude)
			require.NoError(t, err)
			return *r
		}

		ann := ask("My name is Ann.", "Hello Ann.", "")
		bob := ask("My name is Bob.", "Hello Bob.", "")
		require.Equal(t, "claude", bob.Model)
		require.NotEqual(t, ann.ID, bob.ID, "stream %t: two answers, two ids", stream)
		assert.Regexp(t, `^resp_[0-9a-f]{24}$`, bob.ID, "stream %t: the gateway's id, not the server's", stream)
		assert.Equal(t, "msg_"+bob.ID+"_0", bob.Output[0].ID, "stream %t: its items carry its id", stream)
		e.keptWritten(t)
		assert.Equal(t, 2, kept.len(), "stream %t: both answers kept", stream)

		ask("What is my name?", "Bob.", bob.ID)
		reqs := e.anthropic.RequestsFor("claude")
		require.Len(t, reqs, 3)
		assert.Equal(t, []string{"user: My name is Bob.", "assistant: Hello Bob.", "user: What is my name?"},
			anthropicTurns(t, reqs[2].Body), "stream %t: the continued conversation's history", stream)

		got, err := client.Responses.Get(context.Background(), bob.ID, responses.ResponseGetParams{})
		require.NoError(t, err)
		assert.Equal(t, "Hello Bob.", got.OutputText(), "stream %t", stream)
		require.NoError(t, client.Responses.Delete(context.Background(), bob.ID))
		got, err = client.Responses.Get(context.Background(), ann.ID, responses.ResponseGetParams{})
		require.NoError(t, err, "stream %t: deleting one answer leaves the other", stream)
		assert.Equal(t, "Hello Ann.", got.OutputText(), "stream %t", stream)
	}
}
