package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Anthropic's Messages API takes temperature and top_p from 0 to 1 and a
// top_k of 0 or more, and refuses anything else with a 400
// invalid_request_error. The gateway refuses it the same way, on both
// Messages paths, before routing: neither Claude (which would refuse it
// after the call was routed) nor an OpenAI model (whose translation would
// carry a temperature of 1.5 as if it were valid) is called.
func TestMessagesSamplingOutOfRangeIsRefusedBeforeRouting(t *testing.T) {
	assertMessagesRefusedBeforeRouting(t, func(client anthropic.Client, only string) error {
		_, err := client.Messages.New(context.Background(), helloParams("Why is the sky blue?"),
			onlyModels(only), aoption.WithJSONSet("temperature", 1.5))
		return err
	}, "temperature", "1.5")
}

// Each bound is refused by the member it belongs to: temperature and
// top_p above 1 or under 0, top_k under 0 or not a whole number.
func TestMessagesEachSamplingBoundIsRefused(t *testing.T) {
	e := newE2E(t)
	for member, values := range map[string][]string{
		"temperature": {"-0.1", "1.01", "2"},
		"top_p":       {"-1", "1.5"},
		"top_k":       {"-1", "2.5"},
	} {
		for _, v := range values {
			status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
				`{"model":"model-router","max_tokens":100,"`+member+`":`+v+`,"messages":[{"role":"user","content":"hi"}]}`)
			require.Equal(t, http.StatusBadRequest, status, "%s %s: %v", member, v, out)
			assert.Equal(t, "error", out["type"], "%s %s", member, v)
			inner, _ := out["error"].(map[string]any)
			require.NotNil(t, inner, "%s %s: %v", member, v, out)
			assert.Equal(t, "invalid_request_error", inner["type"], "%s %s", member, v)
			assert.Contains(t, inner["message"], member+":", "%s %s", member, v)
		}
	}
	assert.Empty(t, e.anthropic.Requests())
	assert.Empty(t, e.openai.Requests())
}

// The values Anthropic takes still route, the bounds included, and
// temperature beside top_p too: only some models (Claude Sonnet 4.5)
// refuse that pair, and the model is not known before routing.
func TestMessagesSamplingWithinRangeStillRoutes(t *testing.T) {
	e := newE2E(t)
	for _, sampling := range []string{
		`"temperature":0`,
		`"temperature":1`,
		`"top_p":0`,
		`"top_p":1`,
		`"top_k":0`,
		`"top_k":40`,
		`"temperature":0.7,"top_p":0.9`,
	} {
		status, out := postMessages(t, e, http.MethodPost, "/v1/messages",
			`{"model":"model-router","max_tokens":100,`+sampling+`,"routing_config":{"models":["claude"]},"messages":[{"role":"user","content":"hi"}]}`)
		require.Equal(t, http.StatusOK, status, "%s: %v", sampling, out)
		assert.Equal(t, "claude", out["model"], sampling)
	}
	assert.Len(t, e.anthropic.Requests(), 7)
}
