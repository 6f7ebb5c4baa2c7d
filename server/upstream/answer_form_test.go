package upstream_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

const (
	chatJSONAnswer   = `{"id":"x","object":"chat.completion","created":1,"model":"broken","choices":[{"index":0,"message":{"role":"assistant","content":"Hi from JSON"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":3,"total_tokens":4}}`
	claudeJSONAnswer = `{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[{"type":"text","text":"Hi from JSON"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":3}}`
)

var chatSSEAnswer = []string{
	sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi from SSE"},"finish_reason":null}]}`),
	sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`),
	sseData("[DONE]"),
}

func isEventStream(rec *httptest.ResponseRecorder) bool {
	return strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream")
}

// Some servers send their stream without a Content-Type, or as text/plain:
// its first bytes say it is one, and the streaming client gets it.
func TestAStreamWithoutAnEventStreamContentTypeReachesTheClient(t *testing.T) {
	for _, contentType := range []string{"", "text/plain; charset=utf-8", "application/octet-stream"} {
		t.Run("Content-Type "+contentType, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, contentType, chatSSEAnswer...))
			out, rec := m.call(t, upstream.APIChatCompletions, true, m.bad) // the only model: its answer is the one to deliver
			assert.Equal(t, http.StatusOK, out.Status, "%v", out.Err)
			assert.True(t, isEventStream(rec), "a streaming client got %q: %s", rec.Header().Get("Content-Type"), rec.Body.String())
			assert.Contains(t, strings.Join(dataFrames(t, rec.Body.Bytes()), "\n"), "Hi from SSE")
			assert.Equal(t, "broken-id", out.Answered.ID)
		})
	}
}

// A client that asked for a stream reads server-sent events whatever the
// Content-Type: a JSON body is, to its SDK, a stream with no event in it,
// an empty answer and no error. Some servers answer a streaming request in
// one JSON body (they ignore `stream`), typed as JSON or not at all; that
// is no answer the client can read, so the next model answers, and when
// there is none the client gets a 502 saying what the provider did.
func TestAJSONAnswerToAStreamingRequestFailsOver(t *testing.T) {
	for _, tc := range []struct {
		name        string
		kind        string
		api         upstream.API
		contentType string
		body        string
	}{
		{"chat", upstream.KindOpenAI, upstream.APIChatCompletions, "application/json", chatJSONAnswer},
		{"chat without Content-Type", upstream.KindOpenAI, upstream.APIChatCompletions, "", chatJSONAnswer},
		{"responses", upstream.KindOpenAI, upstream.APIResponses, "application/json",
			`{"id":"resp_1","object":"response","status":"completed","model":"broken","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hi from JSON"}]}]}`},
		{"messages from Claude", upstream.KindAnthropic, upstream.APIMessages, "application/json", claudeJSONAnswer},
		{"chat from Claude", upstream.KindAnthropic, upstream.APIChatCompletions, "application/json", claudeJSONAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMisbehaving(t, tc.kind, writes(http.StatusOK, tc.contentType, tc.body))

			out, rec := m.call(t, tc.api, true)
			assert.Equal(t, "good-id", out.Answered.ID, "passed on as the answer: %s", rec.Body.String())
			assert.True(t, isEventStream(rec), "a streaming client got %q: %s", rec.Header().Get("Content-Type"), rec.Body.String())
			assert.Contains(t, rec.Body.String(), "good.")
			assert.NotContains(t, rec.Body.String(), "Hi from JSON")
			if assert.NotEmpty(t, out.Attempts) {
				assert.Contains(t, out.Attempts[0].Error, "answered JSON to a streaming request")
			}

			out, rec = m.call(t, tc.api, true, m.bad)
			assert.Equal(t, http.StatusBadGateway, out.Status)
			assert.False(t, out.Wrote, "written to the client: %s", rec.Body.String())
			var re *router.Error
			if assert.ErrorAs(t, out.Err, &re) {
				assert.Equal(t, router.EUpstream, re.Code)
				assert.Contains(t, re.Message, "answered JSON to a streaming request")
			}
		})
	}
}

// The other way round: a client that did not ask for a stream parses one
// JSON body, so a provider (or a proxy in front of it) that streams anyway
// gives it nothing it can read: the next model answers in JSON, or the
// client gets a 502 saying what the provider did.
func TestAStreamToANonStreamingRequestFailsOver(t *testing.T) {
	for _, contentType := range []string{"text/event-stream", ""} {
		t.Run("Content-Type "+contentType, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, contentType, chatSSEAnswer...))

			out, rec := m.call(t, upstream.APIChatCompletions, false)
			assert.Equal(t, "good-id", out.Answered.ID, "passed on as the answer: %s", rec.Body.String())
			assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json"),
				"a client that asked for JSON got %q: %s", rec.Header().Get("Content-Type"), rec.Body.String())
			var answer struct {
				Choices []struct {
					Message struct {
						Content string `json:"content"`
					} `json:"message"`
				} `json:"choices"`
			}
			if assert.NoError(t, jsonUnmarshal(rec.Body.String(), &answer), rec.Body.String()) && assert.NotEmpty(t, answer.Choices) {
				assert.Equal(t, m.goodAnswer, answer.Choices[0].Message.Content)
			}

			out, rec = m.call(t, upstream.APIChatCompletions, false, m.bad)
			assert.Equal(t, http.StatusBadGateway, out.Status)
			assert.False(t, out.Wrote, "written to the client: %s", rec.Body.String())
			if assert.Error(t, out.Err) {
				assert.Contains(t, out.Err.Error(), "answered a stream to a non-streaming request")
			}
		})
	}
}

// A provider that answers in the wrong form fails every such call, so
// Health should try it last after --unhealthy-after of them.
func TestAProviderAnsweringInTheWrongFormTurnsUnhealthy(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "application/json", chatJSONAnswer))
	now := time.Unix(1_000_000, 0)
	m.fwd.Health = &upstream.Health{Now: func() time.Time { return now }}
	for range upstream.DefaultHealthThreshold {
		out, _ := m.call(t, upstream.APIChatCompletions, true)
		require.Equal(t, "good-id", out.Answered.ID)
	}
	assert.NotEmpty(t, m.fwd.Health.Unhealthy(m.bad),
		"%d calls answered in the wrong form, and the provider is still tried first", upstream.DefaultHealthThreshold)
}
