package server

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// verbositySent reads the verbosity a provider request carries: verbosity
// on Chat Completions, text.verbosity on Responses; "" when none.
func verbositySent(t *testing.T, body []byte) string {
	t.Helper()
	var b struct {
		Verbosity string `json:"verbosity"`
		Text      struct {
			Verbosity string `json:"verbosity"`
		} `json:"text"`
	}
	require.NoError(t, json.Unmarshal(body, &b), "%s", body)
	if b.Verbosity != "" {
		return b.Verbosity
	}
	return b.Text.Verbosity
}

// askVerbosity sends one Chat Completions and one Responses call asking
// for low verbosity, with the options given, and returns the models that
// answered them.
func askVerbosity(t *testing.T, client openai.Client, opts ...option.RequestOption) (chatModel, respModel string) {
	t.Helper()
	ctx := context.Background()
	chat, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:     "model-router",
		Messages:  []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name the capital of Spain.")},
		Verbosity: openai.ChatCompletionNewParamsVerbosityLow,
	}, opts...)
	require.NoError(t, err)
	resp, err := client.Responses.New(ctx, responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Name the capital of Spain.")},
		Text:  responses.ResponseTextConfigParam{Verbosity: responses.ResponseTextConfigVerbosityLow},
	}, opts...)
	require.NoError(t, err)
	return chat.Model, string(resp.Model)
}

// The router, not the client, picks the model, and OpenAI's models before
// GPT-5 refuse a verbosity other than medium with a 400 that does not fail
// over: such a model gets the call without it (and answers at its medium
// default), while a GPT-5 model gets it as sent, on Chat Completions and
// Responses alike.
func TestVerbosityReachesOnlyModelsThatTakeIt(t *testing.T) {
	for _, tt := range []struct {
		best, upstream, want string
	}{
		{best: "gpt-4.1-2025-04-14", upstream: "gpt-4.1-2025-04-14", want: ""},
		{best: "gpt-4o-2024-11-20", upstream: "gpt-4o-2024-11-20", want: ""},
		{best: "DeepSeek-V3.2", upstream: "deepseek-chat", want: ""},
		{best: "gpt-5-mini-2025-08-07", upstream: "gpt-5-mini-2025-08-07", want: "low"},
		{best: "gpt-5.2-2025-12-11", upstream: "gpt-5.2-2025-12-11", want: "low"},
	} {
		t.Run(tt.best, func(t *testing.T) {
			client, fake := newCatalogGateway(t, tt.best)
			chatModel, respModel := askVerbosity(t, client,
				option.WithJSONSet("routing_config", map[string]any{"models": []string{tt.best}}))
			assert.Equal(t, tt.best, chatModel)
			assert.Equal(t, tt.best, respModel)
			sent := fake.RequestsFor(tt.upstream)
			require.Len(t, sent, 2)
			for _, r := range sent {
				assert.Equal(t, tt.want, verbositySent(t, r.Body), "%s %s: %s", r.Path, r.Model, r.Body)
			}
		})
	}
}

// A Responses call's text.format stays when its verbosity goes.
func TestDroppedTextVerbosityKeepsTheTextFormat(t *testing.T) {
	client, fake := newCatalogGateway(t, "gpt-4.1-2025-04-14")
	_, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Name the capital of Spain.")},
		Text: responses.ResponseTextConfigParam{
			Verbosity: responses.ResponseTextConfigVerbosityHigh,
			Format:    responses.ResponseFormatTextConfigUnionParam{OfText: &openai.ResponseFormatTextParam{}},
		},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"gpt-4.1"}}))
	require.NoError(t, err)
	sent := fake.RequestsFor("gpt-4.1-2025-04-14")
	require.Len(t, sent, 1)
	var body struct {
		Text map[string]json.RawMessage `json:"text"`
	}
	require.NoError(t, json.Unmarshal(sent[0].Body, &body))
	assert.NotContains(t, body.Text, "verbosity", "%s", sent[0].Body)
	assert.JSONEq(t, `{"type":"text"}`, string(body.Text["format"]), "%s", sent[0].Body)
}

// With require_parameters a model that would lose verbosity is left out,
// saying so, and one that takes it answers with it as sent.
func TestRequireParametersLeavesOutAModelWithoutVerbosity(t *testing.T) {
	client, fake := newCatalogGateway(t, "gpt-4.1-2025-04-14")
	strict := option.WithJSONSet("routing_config", map[string]any{"models": []string{"gpt-4.1", "gpt-5-mini"}, "require_parameters": true})
	chatModel, respModel := askVerbosity(t, client, strict)
	assert.Equal(t, "gpt-5-mini-2025-08-07", chatModel)
	assert.Equal(t, "gpt-5-mini-2025-08-07", respModel)
	assert.Zero(t, len(fake.RequestsFor("gpt-4.1-2025-04-14")), "gpt-4.1 would have answered at medium verbosity")
	sent := fake.RequestsFor("gpt-5-mini-2025-08-07")
	require.Len(t, sent, 2)
	for _, r := range sent {
		assert.Equal(t, "low", verbositySent(t, r.Body), "%s: %s", r.Path, r.Body)
	}

	chat, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:     "model-router",
		Messages:  []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Name the capital of Spain.")},
		Verbosity: openai.ChatCompletionNewParamsVerbosityHigh,
	}, strict)
	require.NoError(t, err)
	for _, c := range selection(t, extraOf(chat.JSON.ExtraFields))["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "gpt-4.1-2025-04-14" {
			assert.Equal(t, "excluded: require_parameters and unsupported verbosity", cand["reason"])
		}
	}
}
