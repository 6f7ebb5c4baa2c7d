package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// withMisbehavingMini puts a proxy in front of the OpenAI fake that
// answers every request for "mini" (the Balanced pick) with status and
// body as given, and passes the others on.
func withMisbehavingMini(t *testing.T, status int, contentType, body string) func(*Config) {
	return func(cfg *Config) {
		fwd := cfg.Forwarder.(*upstream.Forwarder)
		p := fwd.Providers.ByName["openai"]
		target, err := url.Parse(strings.TrimSuffix(p.BaseURL, "/v1"))
		require.NoError(t, err)
		pass := httputil.NewSingleHostReverseProxy(target)
		front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, _ := io.ReadAll(r.Body)
			var req struct {
				Model string `json:"model"`
			}
			_ = json.Unmarshal(raw, &req)
			if req.Model != "mini" {
				r.Body = io.NopCloser(bytes.NewReader(raw))
				pass.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(front.Close)
		p.BaseURL = front.URL + "/v1"
		fwd.Providers.ByName["openai"] = p
	}
}

// A 200 chat.completion without choices is no answer: the SDK user gets
// the next model's answer, and the log says mini failed and which model
// answered, not that mini answered an empty 200 (which a rating, the cost
// report and retraining would then count as mini's).
func TestAnOKBodyWithoutChoicesIsLoggedAsAFailedAttempt(t *testing.T) {
	e := newE2E(t, withMisbehavingMini(t, http.StatusOK, "application/json",
		`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"mini","choices":[]}`))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := e.clients()["v1"]
	resp, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: "model-router", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
	})
	require.NoError(t, err)
	if assert.NotEmpty(t, resp.Choices, "the SDK got a 200 with no choice to read (model %s)", resp.Model) {
		assert.Contains(t, resp.Choices[0].Message.Content, "Hello from")
	}

	rec := e.log.waitFor(t, 1)[0]
	assert.NotEqual(t, "mini", rec.Answered, "logged as mini's answer")
	assert.Equal(t, http.StatusOK, rec.Status)
	if assert.NotEmpty(t, rec.Attempts) {
		assert.Equal(t, "mini", rec.Attempts[0].Model)
		assert.NotEmpty(t, rec.Attempts[0].Error, "mini's attempt is logged as a success")
	}
}

// An OpenAI-compatible server that answers a streaming request with one
// JSON body (it ignores `stream`, or the model cannot stream): the SDK's
// stream carries that answer, whole, from the model the router chose, and
// the log has it as that model's answer with the usage and cost its JSON
// reported, as for a non-streaming call.
func TestAStreamingSDKCallAnsweredInJSONGetsThatAnswerAsAStream(t *testing.T) {
	e := newE2E(t, withMisbehavingMini(t, http.StatusOK, "application/json",
		`{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hi from JSON"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":3,"total_tokens":5}}`))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := e.clients()["v1"]
	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "model-router", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	require.NotEmpty(t, acc.Choices, "the stream carried no chunk")
	assert.Equal(t, "Hi from JSON", acc.Choices[0].Message.Content)
	assert.Equal(t, "stop", acc.Choices[0].FinishReason)
	assert.Equal(t, "mini", acc.Model)
	assert.EqualValues(t, 2, acc.Usage.PromptTokens)
	assert.EqualValues(t, 3, acc.Usage.CompletionTokens)

	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "mini", rec.Answered)
	assert.Equal(t, http.StatusOK, rec.Status)
	assert.True(t, rec.Stream)
	if assert.Len(t, rec.Attempts, 1) {
		assert.Empty(t, rec.Attempts[0].Error)
	}
	assert.Equal(t, 2, rec.Usage.PromptTokens)
	assert.Equal(t, 3, rec.Usage.CompletionTokens)
	assert.False(t, rec.UsageEstimated)
	assert.Positive(t, rec.CostUSD)
}
