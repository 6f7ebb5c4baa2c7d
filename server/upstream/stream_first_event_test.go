package upstream_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// Claude's `event: ping` says the connection is open, not that an answer
// has begun: a Claude model that sends only pings after its headers is
// stalled like one that sends nothing, and the next model answers.
func TestAStreamOfPingsOnlyFailsOverToTheNextModel(t *testing.T) {
	m := newMisbehaving(t, upstream.KindAnthropic, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			_, _ = fmt.Fprint(w, "event: ping\ndata: {\"type\": \"ping\"}\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	})
	out, rec := m.call(t, upstream.APIChatCompletions, true)
	assert.Equal(t, "good-id", out.Answered.ID, "the next model was never tried: %d %v", out.Status, out.Err)
	assert.Contains(t, rec.Body.String(), "good.")
}

// The attempt timeout is for a model that has not begun to answer. Once
// the first event is in, a model may pause as long as the call's deadline
// allows (a reasoning model thinks between tokens): its answer is whole.
func TestAStreamThatPausesAfterItsFirstEventIsAnsweredWhole(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		chunk := `data: {"id":"c1","object":"chat.completion.chunk","model":"broken-id","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}` + "\n\n"
		_, _ = fmt.Fprintf(w, chunk, `{"role":"assistant","content":"Thinking"}`, "null")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(800 * time.Millisecond): // past the attempt timeout, within the deadline
		}
		_, _ = fmt.Fprintf(w, chunk, `{"content":", then the answer."}`, `"stop"`)
		_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
	})
	m.fwd.AttemptTimeout = 200 * time.Millisecond
	out, rec := m.call(t, upstream.APIChatCompletions, true)
	assert.Equal(t, "broken-id", out.Answered.ID, "%d %v", out.Status, out.Err)
	assert.Equal(t, http.StatusOK, out.Status)
	assert.True(t, out.Whole, "%v", out.Err)
	assert.Contains(t, rec.Body.String(), "then the answer.")
	assert.NotContains(t, rec.Body.String(), "upstream_stream_interrupted")
}

// A reasoning model's Chat Completions stream sends nothing while the
// model reasons (OpenAI's first chunk comes with the answer's first
// token), so a silence after the headers longer than the attempt timeout
// is thinking, not a stall: the model answers within the call's deadline
// and nothing fails over. A non-reasoning model silent as long is stalled.
func TestAReasoningModelSilentWhileItThinksOnChatCompletionsIsNotFailedOver(t *testing.T) {
	thinking := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(800 * time.Millisecond): // past the attempt timeout, within the deadline
		}
		chunk := `data: {"id":"c1","object":"chat.completion.chunk","model":"broken-id","choices":[{"index":0,"delta":%s,"finish_reason":%s}]}` + "\n\n"
		_, _ = fmt.Fprintf(w, chunk, `{"role":"assistant","content":"Thought it through."}`, `"stop"`)
		_, _ = fmt.Fprint(w, "data: [DONE]\n\n")
	}
	t.Run("reasoning", func(t *testing.T) {
		m := newMisbehaving(t, upstream.KindOpenAI, thinking)
		m.fwd.AttemptTimeout = 200 * time.Millisecond
		m.bad.Capabilities.Reasoning = true
		out, rec := m.call(t, upstream.APIChatCompletions, true)
		assert.Equal(t, "broken-id", out.Answered.ID, "%d %v %+v", out.Status, out.Err, out.Attempts)
		assert.True(t, out.Whole, "%v", out.Err)
		assert.Contains(t, rec.Body.String(), "Thought it through.")
	})
	t.Run("not reasoning", func(t *testing.T) {
		m := newMisbehaving(t, upstream.KindOpenAI, thinking)
		m.fwd.AttemptTimeout = 200 * time.Millisecond
		out, rec := m.call(t, upstream.APIChatCompletions, true)
		assert.Equal(t, "good-id", out.Answered.ID, "%d %v", out.Status, out.Err)
		assert.Contains(t, rec.Body.String(), "good.")
	})
}
