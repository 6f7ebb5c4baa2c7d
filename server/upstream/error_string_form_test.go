package upstream_test

// Some servers of one's own put their error in a bare string rather than
// OpenAI's object: Hugging Face TGI's router answers and streams
// {"error": "...", "error_type": "..."}, and LM Studio answers a path it
// does not serve with 200 and {"error": "Unexpected endpoint or method.
// (POST /v1/responses)"}. The message is what the operator and the client
// need; the client gets it in its own API's shape.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

const tgiGenerationError = `{"error":"Request failed during generation: Server error: CUDA out of memory","error_type":"generation"}`

func TestAStreamsErrorGivenAsAStringFailsOverWithItsMessage(t *testing.T) {
	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages} {
		t.Run(string(api), func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", sseData(roleChunk), sseData(tgiGenerationError)))
			out, rec := m.call(t, api, true)
			assert.Equal(t, m.good.ID, out.Answered.ID, "%s", rec.Body.String())
			require.Len(t, out.Attempts, 2)
			assert.Contains(t, out.Attempts[0].Error, "CUDA out of memory")
		})
	}
}

func TestAStreamsErrorGivenAsAStringReachesTheClientInItsAPIsShape(t *testing.T) {
	t.Run("Chat Completions", func(t *testing.T) {
		m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream",
			sseData(roleChunk), chatChunkText("broken", "Hal"), sseData(tgiGenerationError)))
		out, rec := m.call(t, upstream.APIChatCompletions, true)
		assert.Equal(t, http.StatusBadGateway, out.Status)
		var last struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		events := strings.Split(strings.TrimSpace(rec.Body.String()), "\n\n")
		data := strings.TrimPrefix(events[len(events)-1], "data: ")
		require.NoError(t, json.Unmarshal([]byte(data), &last), "the error chunk an SDK reads: %s", rec.Body.String())
		assert.Contains(t, last.Error.Message, "CUDA out of memory", "OpenAI's SDKs read the message from the error object")
	})
	t.Run("Messages", func(t *testing.T) {
		m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream",
			sseData(roleChunk), chatChunkText("broken", "Hal"), sseData(tgiGenerationError)))
		out, rec := m.call(t, upstream.APIMessages, true)
		assert.Equal(t, http.StatusBadGateway, out.Status)
		body := rec.Body.String()
		assert.Contains(t, body, "event: error")
		assert.Contains(t, body, "CUDA out of memory")
	})
}

// LM Studio's answer to a path it has no route for.
func lmStudioUnexpectedEndpoint(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/chat/completions" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`))
		return
	}
	writes(http.StatusOK, "application/json; charset=utf-8", `{"error":"Unexpected endpoint or method. (POST `+r.URL.Path+`)"}`)(w, r)
}

func TestLMStudiosUnexpectedEndpointOnAResponsesCallFailsOverAndLeavesTheModelHealthy(t *testing.T) {
	for _, stream := range []bool{false, true} {
		m := newMisbehaving(t, upstream.KindOpenAI, lmStudioUnexpectedEndpoint)
		m.fwd.Health = &upstream.Health{}
		for range 5 {
			out, rec := m.call(t, upstream.APIResponses, stream)
			require.Equal(t, m.good.ID, out.Answered.ID, "%s", rec.Body.String())
			require.Len(t, out.Attempts, 2)
			assert.Contains(t, out.Attempts[0].Error, "Unexpected endpoint or method")
			assert.Contains(t, out.Attempts[0].Error, "no Responses API")
		}
		assert.Empty(t, m.fwd.Health.Unhealthy(m.bad), "it still answers Chat Completions")
	}
}

// llama.cpp's llama-server sends an error that comes once its stream has
// begun on a line of its own field, `error: {...}` (server_sent_event(sink,
// "error", ...)), which the SSE format would drop as a field it does not
// know, and then ends the stream.
const llamaCppErrorLine = "error: {\"code\":500,\"message\":\"llama_decode failed: out of memory\",\"type\":\"server_error\"}\n\n"

func TestLlamaCppsErrorLineInAStreamFailsOverWithItsMessage(t *testing.T) {
	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages} {
		t.Run(string(api), func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", sseData(roleChunk), llamaCppErrorLine))
			out, rec := m.call(t, api, true)
			assert.Equal(t, m.good.ID, out.Answered.ID, "%s", rec.Body.String())
			require.Len(t, out.Attempts, 2)
			assert.Contains(t, out.Attempts[0].Error, "llama_decode failed: out of memory")
		})
	}
}

func TestLlamaCppsErrorLineAfterTheAnswerBeganReachesTheClient(t *testing.T) {
	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages} {
		t.Run(string(api), func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream",
				sseData(roleChunk), chatChunkText("broken", "Hal"), llamaCppErrorLine))
			out, rec := m.call(t, api, true)
			assert.Equal(t, http.StatusBadGateway, out.Status)
			assert.Contains(t, rec.Body.String(), "llama_decode failed: out of memory", "the client's stream says why it ended")
			require.Len(t, out.Attempts, 1)
			assert.Contains(t, out.Attempts[0].Error, "llama_decode failed: out of memory")
		})
	}
}
