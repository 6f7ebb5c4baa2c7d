package server

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// No catalog model searches the web for web_search_options (only OpenAI's
// search-preview models do; its others answer it with a 400
// unknown_parameter, which does not fail over, and another provider may
// answer without searching) or answers in audio (OpenAI's audio models):
// such a call is refused before routing with a 400 no_eligible that says
// why, and no provider is asked. `modalities: ["text"]` asks for text and
// is served.
func TestWebSearchAndAudioOutputNoCatalogModelHasAreRefused(t *testing.T) {
	client, fake := newCatalogGateway(t, "gpt-4.1-2025-04-14")
	ctx := context.Background()
	ask := func(p openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
		p.Model = "model-router"
		p.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What happened in Madrid today?")}
		return client.Chat.Completions.New(ctx, p)
	}
	for _, tt := range []struct {
		name   string
		params openai.ChatCompletionNewParams
		why    string
	}{
		{name: "web_search_options", params: openai.ChatCompletionNewParams{
			WebSearchOptions: openai.ChatCompletionNewParamsWebSearchOptions{SearchContextSize: "low"},
		}, why: "no web search (web_search_options) support"},
		{name: "modalities with audio", params: openai.ChatCompletionNewParams{
			Modalities: []string{"text", "audio"},
			Audio:      openai.ChatCompletionAudioParam{Voice: openai.ChatCompletionAudioParamVoiceUnion{OfString: openai.String("alloy")}, Format: openai.ChatCompletionAudioParamFormatWAV},
		}, why: "no audio output support"},
		{name: "audio alone", params: openai.ChatCompletionNewParams{
			Audio: openai.ChatCompletionAudioParam{Voice: openai.ChatCompletionAudioParamVoiceUnion{OfString: openai.String("alloy")}, Format: openai.ChatCompletionAudioParamFormatMP3},
		}, why: "no audio output support"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ask(tt.params)
			var apiErr *openai.Error
			require.True(t, errors.As(err, &apiErr), "served: %v", err)
			assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
			assert.Equal(t, "no_eligible", apiErr.Code)
			assert.Equal(t, "invalid_request_error", apiErr.Type)
			assert.Contains(t, apiErr.Message, "gpt-4.1-2025-04-14 ("+tt.why+")")
			assert.Contains(t, apiErr.Message, "DeepSeek-V3.2 ("+tt.why+")")
		})
	}
	assert.Empty(t, fake.Requests(), "a provider was asked")

	chat, err := ask(openai.ChatCompletionNewParams{Modalities: []string{"text"}})
	require.NoError(t, err)
	assert.Equal(t, "gpt-4.1-2025-04-14", chat.Model)
	assert.NotEmpty(t, chat.Choices[0].Message.Content)
}
