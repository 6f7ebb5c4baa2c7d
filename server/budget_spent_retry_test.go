package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// spentSource is a budget source whose every key has spent more than its
// monthly budget.
type spentSource struct{}

func (spentSource) KeyBudget(context.Context, string) (store.Budget, error) {
	return store.Budget{USD: 50, Period: store.PeriodMonth}, nil
}
func (spentSource) KeySpend(context.Context, string, time.Time, time.Time) (float64, error) {
	return 50.02, nil
}

// A key that has spent its budget gets the same refusal until its period
// starts again (days away) or the operator raises it: asking again
// cannot help, so the answer says so, as not_configured's does. The
// OpenAI and Anthropic SDKs would otherwise send each refused call three
// times, each one logged as another refused call.
func TestSpentBudgetIsNotRetriedBySDKs(t *testing.T) {
	e := newE2E(t, func(c *Config) { c.Budgets = budget.New(spentSource{}, nil) })
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(2))
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	apiErr := requireStatus(t, err, http.StatusTooManyRequests)
	assert.Equal(t, "insufficient_quota", apiErr.Code)
	assert.Equal(t, "false", apiErr.Response.Header.Get("x-should-retry"))

	e.mu.Lock()
	calls := 0
	for _, s := range e.seen {
		if strings.HasPrefix(s, "/v1/chat/completions") {
			calls++
		}
	}
	e.mu.Unlock()
	assert.Equal(t, 1, calls, "a spent budget is refused again on every retry")

	// The Messages API's answer says the same to Anthropic's SDKs.
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/messages",
		strings.NewReader(`{"model":"model-router","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	req.Header.Set("x-api-key", e2eKey)
	req.Header.Set("anthropic-version", "2023-06-01")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, res.StatusCode)
	assert.Equal(t, "false", res.Header.Get("x-should-retry"))
}
