package upstream_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
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

// A client that did not ask for a stream parses one JSON body, so a
// provider (or a proxy in front of it) that streams anyway gives it
// nothing it can read (the gateway does not gather a stream into JSON): the next model answers in JSON, or the
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
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", chatSSEAnswer...))
	now := time.Unix(1_000_000, 0)
	m.fwd.Health = &upstream.Health{Now: func() time.Time { return now }}
	for range upstream.DefaultHealthThreshold {
		out, _ := m.call(t, upstream.APIChatCompletions, false)
		require.Equal(t, "good-id", out.Answered.ID)
	}
	assert.NotEmpty(t, m.fwd.Health.Unhealthy(m.bad),
		"%d calls answered in the wrong form, and the provider is still tried first", upstream.DefaultHealthThreshold)
}
