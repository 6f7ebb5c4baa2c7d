package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// askWithPrediction sends a Chat Completions call that predicts its answer,
// with the options given, and returns the answer.
func askWithPrediction(t *testing.T, client openai.Client, opts ...option.RequestOption) *openai.ChatCompletion {
	t.Helper()
	chat, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Rename username to email: class User { username = '' }")},
		Prediction: openai.ChatCompletionPredictionContentParam{
			Content: openai.ChatCompletionPredictionContentContentUnionParam{OfString: openai.String("class User { email = '' }")},
		},
	}, opts...)
	require.NoError(t, err)
	return chat
}

// The router, not the client, picks the model, and OpenAI takes a
// prediction only on gpt-4o and gpt-4.1 and their minis: any other model
// gets the call without it (a prediction changes how fast the answer
// comes, not what it says), and the models that take it get it as sent.
func TestPredictionReachesOnlyModelsThatTakeIt(t *testing.T) {
	for _, tt := range []struct {
		best, upstream string
		kept           bool
	}{
		{best: "gpt-4.1-mini-2025-04-14", upstream: "gpt-4.1-mini-2025-04-14", kept: true},
		{best: "gpt-4o-2024-11-20", upstream: "gpt-4o-2024-11-20", kept: true},
		{best: "gpt-5-mini-2025-08-07", upstream: "gpt-5-mini-2025-08-07"},
		{best: "o4-mini-2025-04-16", upstream: "o4-mini-2025-04-16"},
		{best: "gpt-5-chat-2025-08-07", upstream: "gpt-5-chat-latest"},
		{best: "DeepSeek-V3.2", upstream: "deepseek-chat"},
	} {
		t.Run(tt.best, func(t *testing.T) {
			client, fake := newCatalogGateway(t, tt.best)
			chat := askWithPrediction(t, client,
				option.WithJSONSet("routing_config", map[string]any{"models": []string{tt.best}}))
			assert.Equal(t, tt.best, chat.Model)
			sent := fake.RequestsFor(tt.upstream)
			require.Len(t, sent, 1)
			var body map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(sent[0].Body, &body))
			if tt.kept {
				assert.JSONEq(t, `{"type":"content","content":"class User { email = '' }"}`, string(body["prediction"]), "%s", sent[0].Body)
			} else {
				assert.NotContains(t, body, "prediction", "%s", sent[0].Body)
			}
		})
	}
}

// With require_parameters a model that would lose the prediction is left
// out, saying so.
func TestRequireParametersLeavesOutAModelWithoutPredictedOutputs(t *testing.T) {
	client, fake := newCatalogGateway(t, "gpt-5-mini-2025-08-07")
	chat := askWithPrediction(t, client, option.WithJSONSet("routing_config",
		map[string]any{"models": []string{"gpt-5-mini", "gpt-4.1-nano"}, "require_parameters": true}))
	assert.Equal(t, "gpt-4.1-nano-2025-04-14", chat.Model)
	assert.Zero(t, len(fake.RequestsFor("gpt-5-mini-2025-08-07")), "gpt-5-mini would have lost the prediction")
	for _, c := range selection(t, extraOf(chat.JSON.ExtraFields))["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "gpt-5-mini-2025-08-07" {
			assert.Equal(t, "excluded: require_parameters and unsupported prediction", cand["reason"])
		}
	}
}
