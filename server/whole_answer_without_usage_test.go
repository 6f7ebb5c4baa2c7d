package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A whole (not streamed) answer whose server reports no usage was billed all
// the same: the decision log has the gateway's estimate, marked estimated, as
// for a stream without usage. A Messages client, whose answer the gateway
// writes from the Chat completion, gets that estimate too rather than 0 input
// and 0 output tokens, as message_start and message_delta give it streamed
// (TestMessagesStreamWithoutProviderUsageEndsWithTheLoggedOutputEstimate).
func TestMessagesAnswerWithoutProviderUsageHasTheLoggedEstimate(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{NoUsage: true})
	const messages = `"routing_config":{"models":["mini"]},"messages":[{"role":"user","content":"Write a long story."}]}`
	status, msg := postMessages(t, e, http.MethodPost, "/v1/messages", `{"model":"model-router","max_tokens":4096,`+messages)
	require.Equal(t, http.StatusOK, status, msg)
	_, counted := postMessages(t, e, http.MethodPost, "/v1/messages/count_tokens", `{"model":"model-router",`+messages)

	rec := e.log.waitFor(t, 1)[0]
	require.True(t, rec.UsageEstimated, "the server never said")
	usage, _ := msg["usage"].(map[string]any)
	assert.Positive(t, usage["input_tokens"], "%v", msg)
	assert.Equal(t, counted["input_tokens"], usage["input_tokens"], "the gateway's estimate of the prompt, as message_start's")
	assert.Equal(t, float64(rec.Usage.PromptTokens), usage["input_tokens"], "the log's estimate")
	assert.Positive(t, usage["output_tokens"])
	assert.Equal(t, float64(rec.Usage.CompletionTokens), usage["output_tokens"], "the log's estimate")
}

// An answer longer than the router predicted, whose server reports no
// usage, is logged at least at its text's tokens whether it was streamed
// or not: the estimate does not bill the whole answer less than the same
// answer streamed. A Messages client gets the same count.
func TestAnswerWithoutProviderUsageIsLoggedAtLeastItsText(t *testing.T) {
	reply := strings.Repeat("The quick brown fox jumps over the lazy dog again. ", 400)
	text := EstimateTokensByChars([]string{reply})
	for _, path := range []string{"/v1/chat/completions", "/v1/messages"} {
		t.Run(path, func(t *testing.T) {
			e := newE2E(t)
			e.openai.Set("mini", upstreamtest.Behavior{NoUsage: true, Reply: reply})
			body := `{"model":"model-router","max_tokens":16000,"routing_config":{"models":["mini"]},` +
				`"messages":[{"role":"user","content":"Write a long story."}]}`
			var status int
			var answer map[string]any
			if path == "/v1/messages" {
				status, answer = postMessages(t, e, http.MethodPost, path, body)
			} else {
				var raw []byte
				status, _, raw = postRaw(t, e, http.MethodPost, path, body)
				require.NoError(t, json.Unmarshal(raw, &answer), "%s", raw)
			}
			require.Equal(t, http.StatusOK, status, answer)

			rec := e.log.waitFor(t, 1)[0]
			require.True(t, rec.UsageEstimated)
			assert.GreaterOrEqual(t, rec.Usage.CompletionTokens, text, "the answer's text was generated")
			if path == "/v1/messages" {
				usage, _ := answer["usage"].(map[string]any)
				assert.Equal(t, float64(rec.Usage.CompletionTokens), usage["output_tokens"], "the log's estimate")
			} else {
				assert.Nil(t, answer["usage"], "a Chat answer passes through as its server sent it, as its stream does")
			}
		})
	}
}
