package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Extended thinking with a budget ({"type": "enabled"}) needs budget_tokens
// of at least 1,024, and Anthropic refuses a call without one with a 400
// invalid_request_error. The gateway refuses it the same way, on both
// Messages paths, before routing: neither Claude (which would refuse it
// after the call was routed and charged to its capacity) nor an OpenAI
// model (whose translation would turn it into a reasoning effort as if it
// were valid) is called.
func TestMessagesThinkingBudgetUnder1024IsRefusedBeforeRouting(t *testing.T) {
	assertMessagesRefusedBeforeRouting(t, func(client anthropic.Client, only string) error {
		params := helloParams("Why is the sky blue?")
		params.MaxTokens = 4096
		params.Thinking = anthropic.ThinkingConfigParamOfEnabled(512)
		_, err := client.Messages.New(context.Background(), params, onlyModels(only))
		return err
	}, "thinking.budget_tokens", "1024")
}

// assertMessagesRefusedBeforeRouting sends call on both Messages paths,
// routed to Claude alone and to an OpenAI model alone, and checks each is
// refused with a 400 invalid_request_error whose message has every word,
// that no upstream was called, and that the four calls are logged as the
// client's 400s under the deployment they named.
func assertMessagesRefusedBeforeRouting(t *testing.T, call func(client anthropic.Client, only string) error, words ...string) {
	t.Helper()
	e := newE2E(t)
	for path, client := range e.anthropicClients() {
		for _, only := range []string{"claude", "mini"} {
			ae, inner := anthropicError(t, call(client, only))
			assert.Equal(t, http.StatusBadRequest, ae.StatusCode, "%s, %s", path, only)
			assert.Equal(t, "invalid_request_error", inner["type"], "%s, %s", path, only)
			for _, w := range words {
				assert.Contains(t, inner["message"], w, "%s, %s", path, only)
			}
		}
	}
	assert.Empty(t, e.anthropic.Requests(), "Claude is not called")
	assert.Empty(t, e.openai.Requests(), "nor is the translation sent")

	recs := e.log.waitFor(t, 4)
	for _, rec := range recs {
		assert.Equal(t, http.StatusBadRequest, rec.Status, "logged as the client's error")
		assert.Equal(t, DefaultDeploymentName, rec.Decision.Deployment, "under the deployment it named")
		assert.Empty(t, rec.Answered)
	}
}

// Enabled thinking with no budget_tokens, or one that is no number, has no
// valid budget either; each is refused as a budget under the minimum is.
func TestMessagesThinkingEnabledWithoutABudgetIsRefused(t *testing.T) {
	e := newE2E(t)
	for _, thinking := range []string{
		`{"type":"enabled"}`,
		`{"type":"enabled","budget_tokens":null}`,
		`{"type":"enabled","budget_tokens":"lots"}`,
		`{"type":"enabled","budget_tokens":0}`,
		`{"type":"enabled","budget_tokens":1023}`,
	} {
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
			`{"model":"model-router","max_tokens":4096,"thinking":`+thinking+`,"messages":[{"role":"user","content":"hi"}]}`)
		require.Equal(t, http.StatusBadRequest, status, "%s: %v", thinking, out)
		assert.Equal(t, "error", out["type"], thinking)
		inner, _ := out["error"].(map[string]any)
		require.NotNil(t, inner, "%s: %v", thinking, out)
		assert.Equal(t, "invalid_request_error", inner["type"], thinking)
		assert.Contains(t, inner["message"], "thinking.budget_tokens", thinking)
	}
	assert.Empty(t, e.anthropic.Requests())
	assert.Empty(t, e.openai.Requests())
}

// The forms Anthropic takes still route: the smallest budget (even one at
// or above max_tokens, which interleaved thinking allows and which only
// the model can judge), disabled thinking, and adaptive thinking, which
// takes no budget.
func TestMessagesValidThinkingStillRoutes(t *testing.T) {
	e := newE2E(t)
	client := e.anthropicClients()["v1"]
	for name, thinking := range map[string]anthropic.ThinkingConfigParamUnion{
		"the smallest budget":       anthropic.ThinkingConfigParamOfEnabled(1024),
		"a budget above max_tokens": anthropic.ThinkingConfigParamOfEnabled(8000),
		"disabled":                  {OfDisabled: &anthropic.ThinkingConfigDisabledParam{}},
		"adaptive, with no budget":  {OfAdaptive: &anthropic.ThinkingConfigAdaptiveParam{}},
	} {
		params := helloParams("Why is the sky blue?")
		params.Thinking = thinking
		msg, err := client.Messages.New(context.Background(), params, onlyModels("claude"))
		require.NoError(t, err, name)
		assert.Equal(t, "claude", string(msg.Model), name)
	}
	assert.Len(t, e.anthropic.Requests(), 4)
}
