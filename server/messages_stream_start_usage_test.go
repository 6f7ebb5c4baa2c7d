package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamInputTokens streams a Messages body through the gateway and
// returns the input_tokens of message_start and of message_delta.
func streamInputTokens(t *testing.T, e *e2e, body string) (start, delta float64) {
	t.Helper()
	s, d := streamUsages(t, e, body)
	return s["input_tokens"], d["input_tokens"]
}

// streamUsages streams a Messages body through the gateway and returns the
// usage of message_start and of message_delta.
func streamUsages(t *testing.T, e *e2e, body string) (start, delta map[string]float64) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/messages", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("x-api-key", e2eKey)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("content-type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := map[string]bool{}
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev struct {
			Type    string `json:"type"`
			Message struct {
				Usage map[string]float64 `json:"usage"`
			} `json:"message"`
			Usage map[string]float64 `json:"usage"`
		}
		require.NoError(t, json.Unmarshal([]byte(data), &ev))
		seen[ev.Type] = true
		switch ev.Type {
		case "message_start":
			start = ev.Message.Usage
		case "message_delta":
			delta = ev.Usage
		}
	}
	require.True(t, seen["message_start"] && seen["message_delta"], "events: %v", seen)
	return start, delta
}

// Anthropic's SDK clients read a stream's prompt tokens from message_start
// (LangChain's ChatAnthropic @langchain/anthropic 1.5 only there: its
// message_delta chunk counts input_tokens as 0), so a Messages stream
// answered by an OpenAI-format model must not start with input_tokens 0,
// or every such stream reaches the app's usage and cost tracking as a
// prompt of no tokens. Chat Completions counts the prompt only at the end,
// so message_start has the gateway's estimate (what count_tokens answers),
// and message_delta, which Anthropic's SDK reads last, and the decision log
// have the provider's count.
func TestMessagesStreamFromAnOpenAIModelStartsWithItsPromptTokens(t *testing.T) {
	e := newE2E(t)
	// @langchain/anthropic 1.5.11 ChatAnthropic.stream("...") body, with
	// long words, so that the fake's count (words) and the estimate differ.
	const messages = `"messages":[{"role":"user","content":"What is the capital of France? Pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism."}],"routing_config":{"models":["mini"]}}`
	start, delta := streamInputTokens(t, e, `{"model":"model-router","stream":true,"max_tokens":4096,`+messages)

	status, counted := postMessages(t, e, http.MethodPost, "/v1/messages/count_tokens", `{"model":"model-router",`+messages)
	require.Equal(t, http.StatusOK, status, counted)
	assert.Positive(t, start, "message_start.usage.input_tokens")
	assert.Equal(t, counted["input_tokens"], start, "the gateway's estimate of the prompt")
	assert.Equal(t, 8.0, delta, "the provider's count (the fake counts words)")

	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, 8, rec.Usage.PromptTokens, "the log keeps the provider's count")
	assert.False(t, rec.UsageEstimated)
}

// A Messages stream answered by an OpenAI-format model whose server sends
// no usage (it ignores stream_options.include_usage) was still billed: the
// log has the gateway's estimate of its output, and message_delta, whose
// output_tokens Anthropic's SDKs keep as the message's (MessageStream's
// accumulator takes it over), has the same estimate rather than 0.
func TestMessagesStreamWithoutProviderUsageEndsWithTheLoggedOutputEstimate(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{NoStreamUsage: true})
	_, delta := streamUsages(t, e, `{"model":"model-router","stream":true,"max_tokens":4096,"routing_config":{"models":["mini"]},`+
		`"messages":[{"role":"user","content":"Write a long story."}]}`)

	rec := e.log.waitFor(t, 1)[0]
	require.True(t, rec.UsageEstimated)
	assert.Positive(t, rec.Usage.CompletionTokens)
	assert.Equal(t, float64(rec.Usage.CompletionTokens), delta["output_tokens"], "message_delta has the log's estimate")
}
