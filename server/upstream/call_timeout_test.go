package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A long answer streamed at a model's pace runs past any fixed deadline
// (16k tokens at 50 a second is over five minutes): once its first event
// has gone out, only its silences may cut it. Here the answer takes more
// than twice the call's deadline, and its first event comes well within it.
func TestAStreamThatKeepsSendingPastTheCallDeadlineIsNotCut(t *testing.T) {
	reply := strings.TrimSpace(strings.Repeat("word ", 12)) + "."
	for name, tc := range map[string]struct {
		api  upstream.API
		m    router.Model
		last string // the stream's closing event
	}{
		"Chat Completions": {upstream.APIChatCompletions, openAIModel("model-a"), "data: [DONE]"},
		"Responses":        {upstream.APIResponses, openAIModel("model-a"), "event: response.completed"},
		"Messages":         {upstream.APIMessages, anthropicModel("claude-x"), "event: message_stop"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakes(t)
			f.fwd.Deadline = 1500 * time.Millisecond
			b := upstreamtest.Behavior{Reply: reply, Pace: 250 * time.Millisecond}
			if tc.m.Provider == "anthropic" {
				f.anthropic.Set(tc.m.Name, b)
			} else {
				f.openai.Set(tc.m.Name, b)
			}

			out, rec := streamThrough(t, f.fwd, tc.api, tc.m, openAIModel("model-b"))

			assert.Equal(t, http.StatusOK, out.Status, "%v %+v", out.Err, out.Attempts)
			assert.True(t, out.Whole, "the answer reached its end: %v", out.Err)
			assert.NoError(t, out.Err)
			require.Len(t, out.Attempts, 1)
			assert.Equal(t, tc.m.ID, out.Attempts[0].Model)
			assert.Empty(t, f.openai.RequestsFor("model-b"))
			body := rec.Body.String()
			assert.NotContains(t, body, "upstream_stream_interrupted")
			assert.NotContains(t, body, "event: error")
			assert.Contains(t, body, "word.", "the last word arrived")
			assert.Contains(t, body, tc.last)
		})
	}
}

// A stream that goes silent mid-answer is cut at its silence limit, long
// before the call's deadline, and the client hears why in its error event.
func TestAStreamThatStallsMidAnswerIsCutAtItsSilenceLimit(t *testing.T) {
	f := newFakes(t)
	f.fwd.Deadline, f.fwd.StreamIdle = time.Hour, 300*time.Millisecond
	f.openai.Set("model-a", upstreamtest.Behavior{Reply: "one two three four", Stall: true, StallAfter: 2})

	out, rec := streamThrough(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))

	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.Equal(t, "model-a-id", out.Answered.ID, "the stream had begun: no failover")
	assert.Empty(t, f.openai.RequestsFor("model-b"))
	body := rec.Body.String()
	assert.Contains(t, body, "one ", "the first word reached the client")
	assert.Contains(t, body, "upstream_stream_interrupted")
	assert.Contains(t, body, "nothing for 300ms")
	assert.True(t, f.openai.WaitCancelled("model-a", 1, 5*time.Second), "the provider's request was ended")
}

// jsonThrough forwards a non-streaming Chat Completions call through
// order, under a guard that turns a hang into a failure.
func jsonThrough(t *testing.T, fwd *upstream.Forwarder, order ...router.Model) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	out := fwd.Forward(ctx, rec, upstream.Call{API: upstream.APIChatCompletions,
		Raw: bodyFor(upstream.APIChatCompletions, false), Order: order})
	require.NoError(t, ctx.Err(), "the call hung until the test's guard: %+v", out.Attempts)
	return out, rec
}

// A JSON answer's headers come only once the whole answer is written, so
// a model that takes longer than the attempt timeout to answer (one that
// reasons at length, a long answer) is answering, not stalled: it is not
// failed over (which would bill the call twice), and it does not count
// against the model's health. The call's deadline bounds it.
func TestASlowJSONAnswerWithinTheCallDeadlineIsNotFailedOver(t *testing.T) {
	f := newFakes(t)
	f.fwd.AttemptTimeout = 100 * time.Millisecond
	f.fwd.Health = &upstream.Health{}
	f.openai.Set("model-a", upstreamtest.Behavior{Reply: "Thought it through.", Delay: 600 * time.Millisecond})
	slow, next := openAIModel("model-a"), openAIModel("model-b")

	for range upstream.DefaultHealthThreshold {
		out, rec := jsonThrough(t, f.fwd, slow, next)
		assert.Equal(t, http.StatusOK, out.Status, "%v %+v", out.Err, out.Attempts)
		assert.Equal(t, slow.ID, out.Answered.ID)
		require.Len(t, out.Attempts, 1)
		assert.Contains(t, rec.Body.String(), "Thought it through.")
	}
	assert.Empty(t, f.openai.RequestsFor(next.Name), "failed over a model that was answering")
	assert.Empty(t, f.fwd.Health.Unhealthy(slow))
}

// A streaming provider sends its headers at once, so one that sends none
// within the attempt timeout is stalled, and the next model answers.
func TestAStreamWhoseHeadersDoNotComeWithinTheAttemptTimeoutFailsOver(t *testing.T) {
	f := newFakes(t)
	f.fwd.AttemptTimeout = 100 * time.Millisecond
	f.openai.Set("model-a", upstreamtest.Behavior{Stall: true})

	out, rec := streamThrough(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"), openAIModel("model-b"))

	assert.Equal(t, "model-b-id", out.Answered.ID, "%+v", out.Attempts)
	require.Len(t, out.Attempts, 2)
	assert.Equal(t, "timeout: no response headers within 100ms", out.Attempts[0].Error)
	assert.Contains(t, rec.Body.String(), `"model":"model-b-id"`)
	assert.Contains(t, rec.Body.String(), "data: [DONE]")
	assert.True(t, f.openai.WaitCancelled("model-a", 1, 5*time.Second), "the stalled request was cancelled")
}

// The call's deadline still bounds a JSON answer whole: one that does not
// come within it ends the call, with no time left for another model.
func TestAJSONAnswerPastTheCallDeadlineEndsTheCall(t *testing.T) {
	f := newFakes(t)
	f.fwd.AttemptTimeout, f.fwd.Deadline = 50*time.Millisecond, 300*time.Millisecond
	f.openai.Set("model-a", upstreamtest.Behavior{Stall: true})

	out, _ := jsonThrough(t, f.fwd, openAIModel("model-a"), openAIModel("model-b"))

	assert.Equal(t, http.StatusBadGateway, out.Status)
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "the 300ms deadline ran out")
	assert.Empty(t, f.openai.RequestsFor("model-b"))
}
