package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// OpenAI takes any end-user id in `user`, and apps often send the user's
// email address; Anthropic refuses one in metadata.user_id with a 400 that
// does not fail over. A Chat Completions or Responses call with such a
// user is answered by Claude all the same, which gets an opaque id that
// still tells the app's users apart.
func TestAnEmailAddressAsUserReachesClaudeAsAnOpaqueID(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	ctx := context.Background()
	for _, user := range []string{"alice@example.com", "bob@example.com"} {
		chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    "model-router",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
			User:     openai.String(user),
		}, onModel("claude"))
		require.NoError(t, err)
		assert.Equal(t, "claude", chat.Model)

		params := ask("What is the capital of France?")
		params.User = openai.String(user)
		res, err := client.Responses.New(ctx, params, onModel("claude"))
		require.NoError(t, err)
		assert.Equal(t, "claude", res.Model)
		assert.Equal(t, responses.ResponseStatusCompleted, res.Status)
	}

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 4)
	var ids []string
	for _, r := range reqs {
		var sent struct {
			Metadata struct {
				UserID string `json:"user_id"`
			} `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &sent))
		assert.NotContains(t, sent.Metadata.UserID, "@")
		ids = append(ids, sent.Metadata.UserID)
	}
	assert.Equal(t, ids[0], ids[1], "one user is one id on either API")
	assert.Equal(t, ids[2], ids[3])
	assert.NotEqual(t, ids[0], ids[2], "two users stay two")
}
