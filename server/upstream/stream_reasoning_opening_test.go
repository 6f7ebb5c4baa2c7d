package upstream_test

// A reasoning model may think silently for minutes after its stream
// opens, and its attempt timeout ends before its answer begins (at the
// headers on Chat Completions, at the opening on Responses and Claude's
// wire). Its opening is not held past that point: the client gets the
// status, headers and opening while the model still reasons, so neither
// it nor a proxy before it with a read timeout waits without a byte. The
// price is that an error right after that opening reaches the client
// instead of failing over.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const (
	chatRoleChunk        = `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`
	reasoningClaudeStart = `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}`
	thought              = "Thought it through."
)

// chatAnswer is the rest of a Chat Completions stream after its role chunk.
var chatAnswer = chatChunkText("broken", thought) + sseData(fmt.Sprintf(finishChunk, "broken")) + sseData("[DONE]")

// claudeAnswer is the rest of a Claude stream after message_start.
var claudeAnswer = sseNamed("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
	sseNamed("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"`+thought+`"}}`) +
	sseNamed("content_block_stop", `{"type":"content_block_stop","index":0}`) +
	sseNamed("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}`) +
	sseNamed("message_stop", `{"type":"message_stop"}`)

// responsesOpening and responsesAnswer are an OpenAI Responses stream.
var (
	responsesOpening = sseNamed("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"broken","output":[]}}`) +
		sseNamed("response.in_progress", `{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"broken","output":[]}}`)
	responsesAnswer = sseNamed("response.output_text.delta", `{"type":"response.output_text.delta","sequence_number":2,"item_id":"m1","output_index":0,"content_index":0,"delta":"`+thought+`"}`) +
		sseNamed("response.completed", `{"type":"response.completed","sequence_number":3,"response":{"id":"resp_1","object":"response","status":"completed","model":"broken","output":[{"type":"message","id":"m1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"`+thought+`","annotations":[]}]}],"usage":{"input_tokens":3,"output_tokens":5,"total_tokens":8}}}`)
)

// opensThenReasons writes opening, then waits for thinking to be closed
// (the model reasoning) before it writes the answer.
func opensThenReasons(opening, answer string, thinking <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, opening)
		w.(http.Flusher).Flush()
		select {
		case <-thinking:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, answer)
		w.(http.Flusher).Flush()
	}
}

// nextEvent reads one SSE event (its lines up to the blank one).
func nextEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var ev strings.Builder
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "the stream ended before an event: %q", ev.String())
		if line == "\n" && ev.Len() > 0 {
			return ev.String()
		}
		ev.WriteString(line)
	}
}

func TestAReasoningModelsOpeningReachesTheClientWhileTheModelReasons(t *testing.T) {
	for name, tc := range map[string]struct {
		api             upstream.API
		kind            string
		opening, answer string
		first           string // what the client's first event carries
	}{
		"Chat Completions": {upstream.APIChatCompletions, upstream.KindOpenAI,
			sseData(chatRoleChunk), chatAnswer, `"role":"assistant"`},
		"Messages from Chat Completions": {upstream.APIMessages, upstream.KindOpenAI,
			sseData(chatRoleChunk), chatAnswer, "event: message_start"},
		"Responses": {upstream.APIResponses, upstream.KindOpenAI,
			responsesOpening, responsesAnswer, "event: response.created"},
		"Messages from Claude": {upstream.APIMessages, upstream.KindAnthropic,
			sseNamed("message_start", reasoningClaudeStart), claudeAnswer, "event: message_start"},
		"Chat Completions from Claude": {upstream.APIChatCompletions, upstream.KindAnthropic,
			sseNamed("message_start", reasoningClaudeStart), claudeAnswer, `"role":"assistant"`},
		"Responses from Claude": {upstream.APIResponses, upstream.KindAnthropic,
			sseNamed("message_start", reasoningClaudeStart), claudeAnswer, "event: response.created"},
	} {
		t.Run(name, func(t *testing.T) {
			thinking := make(chan struct{})
			m := newMisbehaving(t, tc.kind, opensThenReasons(tc.opening, tc.answer, thinking))
			// Held to the deadline, the opening would come only with the
			// stream's error event; the guard below is the test's.
			m.fwd.Deadline = 10 * time.Second
			m.bad.Capabilities.Reasoning = true
			g := newGateway(t, m.fwd, tc.api, m.bad, m.good)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL+"/any", strings.NewReader(string(bodyFor(tc.api, true))))
			require.NoError(t, err)

			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)

			// The model is still reasoning: the fake has sent only its
			// opening.
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
			first := nextEvent(t, br)
			assert.Contains(t, first, tc.first)
			assert.Contains(t, first, "broken-id", "the opening names the gateway's model")
			assert.NotContains(t, first, thought)

			close(thinking)
			rest, err := io.ReadAll(br)
			require.NoError(t, err)
			assert.Contains(t, string(rest), thought)
			assert.NotContains(t, string(rest), "upstream_stream_interrupted")
			out := g.outcome(t)
			assert.Equal(t, m.bad.ID, out.Answered.ID, "%+v", out.Attempts)
			assert.True(t, out.Whole, "%v", out.Err)
		})
	}
}

// Once a reasoning model's opening went out, its error right after it is
// the client's: there is no failover, as for an error mid-answer.
func TestAReasoningModelsErrorRightAfterItsOpeningReachesTheClient(t *testing.T) {
	for name, tc := range map[string]struct {
		api   upstream.API
		model router.Model
	}{
		"Chat Completions":     {upstream.APIChatCompletions, openAIModel("model-r")},
		"Messages from Claude": {upstream.APIMessages, anthropicModel("claude-r")},
	} {
		t.Run(name, func(t *testing.T) {
			tc.model.Capabilities.Reasoning = true
			g, next := openingGateway(t, tc.api, tc.model, upstreamtest.Behavior{ErrorAfter: 1})

			status, _, raw := g.post(t, "/any", string(bodyFor(tc.api, true)))
			body := string(raw)

			assert.Equal(t, http.StatusOK, status, "the opening went out with its status")
			assert.Contains(t, body, tc.model.ID)
			assert.Contains(t, body, "error")
			assert.NotContains(t, body, next.ID)
			out := g.outcome(t)
			require.Len(t, out.Attempts, 1, "no failover: %+v", out.Attempts)
			assert.Equal(t, tc.model.ID, out.Attempts[0].Model)
			assert.Contains(t, out.Attempts[0].Error, "sent an error")
		})
	}
}
