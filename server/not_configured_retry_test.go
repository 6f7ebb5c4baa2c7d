package server

// 503 not_configured says the operator has not set a provider up: asking
// again cannot help. The OpenAI and Anthropic SDKs retry every 5xx (twice
// by default, with backoff) unless the answer carries x-should-retry:
// false, so without it each such call costs the client three requests and
// their waits before it sees the message naming the setting.

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

func TestNotConfiguredIsNotRetriedBySDKs(t *testing.T) {
	notConfigured := func(m router.Model) string { return "provider " + m.Provider + " not configured: set OPENAI_API_KEY" }
	e := newE2E(t, func(c *Config) { c.Router = newTestRouter(t, notConfigured) })
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(2))
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, router.ENotConfigured, apiErr.Code)
	assert.Contains(t, apiErr.Message, "OPENAI_API_KEY")

	e.mu.Lock()
	defer e.mu.Unlock()
	calls := 0
	for _, s := range e.seen {
		if strings.HasPrefix(s, "/v1/chat/completions") {
			calls++
		}
	}
	assert.Equal(t, 1, calls, "the SDK asked once: the answer told it not to retry")
}
