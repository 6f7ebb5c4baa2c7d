package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A Claude answer that stops with pause_turn (a server tool ran long) is
// resumed, in a thread, by a continuation with no new message: the thread
// holds the conversation and Claude goes on from its last answer. The
// Anthropic SDK's thread helper sends it when its caller sends no message;
// the gateway sends it to the model holding the thread like any
// continuation, and its decision says the router read no text.
func TestMessagesThreadContinuationWithNoNewMessageResumesAtTheModelHoldingIt(t *testing.T) {
	e := newE2E(t)
	e.anthropic.Set("claude", upstreamtest.Behavior{StopReason: "pause_turn"})
	client := anthropic.NewClient(aoption.WithBaseURL(e.url), aoption.WithAPIKey(e2eKey), aoption.WithMaxRetries(0))
	thread := client.Beta.Messages.NewThread(anthropic.BetaMessageThreadCreateParams{
		Model: "model-router", MaxTokens: 200,
		Messages: []anthropic.BetaMessageParam{anthropic.NewBetaUserMessage(anthropic.NewBetaTextBlock("Search the news of the day."))},
	}, onlyModels("claude"))

	first, err := thread.Send(context.Background(), anthropic.BetaMessageThreadSendParams{})
	require.NoError(t, err)
	require.Equal(t, anthropic.BetaStopReasonPauseTurn, first.StopReason)

	e.anthropic.Set("claude", upstreamtest.Behavior{Reply: "Here is the news."})
	second, err := thread.Send(context.Background(), anthropic.BetaMessageThreadSendParams{})
	require.NoError(t, err, "a continuation with no new message is valid")
	assert.Equal(t, "claude", string(second.Model))
	require.NotEmpty(t, second.Content)
	assert.Equal(t, "Here is the news.", second.Content[0].Text)

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	var sent struct {
		Messages []json.RawMessage `json:"messages"`
		Thread   map[string]string `json:"thread"`
	}
	require.NoError(t, json.Unmarshal(reqs[1].Body, &sent))
	assert.NotNil(t, sent.Messages, "messages reach Claude as sent: an empty list")
	assert.Empty(t, sent.Messages)
	assert.Equal(t, map[string]string{"type": "continue", "previous_message_id": first.ID}, sent.Thread)
	assert.Empty(t, e.openai.Requests())

	rec := e.log.waitFor(t, 2)[1]
	assert.Equal(t, 200, rec.Status)
	assert.Equal(t, "claude", rec.Decision.ChosenID)
	assert.Equal(t, "claude", rec.Answered)
	empty := sha256.Sum256(nil)
	assert.Equal(t, hex.EncodeToString(empty[:]), rec.PromptHash, "the routed text is empty, and its hash says so")
	require.Len(t, rec.Decision.Candidates, 1)
	assert.Contains(t, rec.Decision.Candidates[0].Reason, "only it holds the thread")
	assert.Contains(t, rec.Decision.Candidates[0].Reason, "no new message", "the decision says why the router read nothing")
}

// What Anthropic refuses is still refused, before any model is asked and
// in Anthropic's error shape: no message outside a thread continuation
// (a new thread must send its conversation), and a continuation without
// a messages list at all.
func TestMessagesWithNoMessageOutsideAThreadContinuationIsRefused(t *testing.T) {
	e := newE2E(t)
	for _, body := range []string{
		`{"model":"model-router","max_tokens":100,"messages":[]}`,
		`{"model":"model-router","max_tokens":100,"messages":[],"thread":{"type":"create"}}`,
		`{"model":"model-router","max_tokens":100,"thread":{"type":"continue","previous_message_id":"msg_1"}}`,
	} {
		status, out := postThreadTurn(t, e, body)
		assert.Equal(t, 400, status, body)
		assert.Equal(t, "error", out["type"], body)
		errObj, _ := out["error"].(map[string]any)
		assert.Equal(t, "invalid_request_error", errObj["type"], body)
		assert.Contains(t, errObj["message"], "messages", body)
	}
	assert.Empty(t, e.anthropic.Requests())
	assert.Empty(t, e.openai.Requests())
}
