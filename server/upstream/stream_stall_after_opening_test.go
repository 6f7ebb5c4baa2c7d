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

// The attempt timeout lasts until the first event the client gets, the
// point past which a call cannot fail over. A provider that opens its
// stream with events the gateway holds (OpenAI's response.created, sent
// before the model has done anything) and then stalls is a stuck provider
// like one that sends headers and nothing: the next model answers. One
// whose first event went to the client keeps the call, bounded by the
// stream's silence limit, as a stall mid-answer is.

// stallingAfter is fakes whose model stalls after its first n events,
// under short timeouts: the attempt's, and the call's and the stream's
// silence limit (limit).
func stallingAfter(t *testing.T, m router.Model, n int, limit time.Duration) *fakes {
	f := newFakes(t)
	f.fwd.AttemptTimeout, f.fwd.Deadline, f.fwd.StreamIdle = 300*time.Millisecond, limit, limit
	b := upstreamtest.Behavior{Stall: true, StallAfter: n}
	f.serving(m).Set(m.Name, b)
	return f
}

// streamThrough forwards a streaming call of api through order, under a
// guard that turns a hang into a failure.
func streamThrough(t *testing.T, fwd *upstream.Forwarder, api upstream.API, order ...router.Model) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	out := fwd.Forward(ctx, rec, upstream.Call{API: api, Raw: bodyFor(api, true), Stream: true, Order: order})
	require.NoError(t, ctx.Err(), "the call hung until the test's guard: %+v", out.Attempts)
	return out, rec
}

func TestAResponsesStreamThatStallsAfterItsOpeningEventsFailsOver(t *testing.T) {
	for name, n := range map[string]int{"after response.created": 1, "after response.in_progress": 2} {
		t.Run(name, func(t *testing.T) {
			stalling, next := openAIModel("model-a"), openAIModel("model-b")
			f := stallingAfter(t, stalling, n, 5*time.Second)

			out, rec := streamThrough(t, f.fwd, upstream.APIResponses, stalling, next)

			assert.Equal(t, next.ID, out.Answered.ID, "%+v", out.Attempts)
			assert.Equal(t, http.StatusOK, out.Status)
			require.Len(t, out.Attempts, 2)
			assert.Equal(t, stalling.ID, out.Attempts[0].Model)
			assert.Contains(t, out.Attempts[0].Error, "timeout: no answer begun within")
			body := rec.Body.String()
			assert.Contains(t, body, "Hello from model-b.")
			assert.Equal(t, 1, strings.Count(body, "event: response.created"),
				"the stalled model's opening never reached the client: %s", body)
			assert.NotContains(t, body, stalling.ID)
		})
	}
}

// Azure sends a chunk of prompt filter results, which has no choice,
// before its answer: it is held, so a stall after it fails over too.
func TestAChatStreamThatStallsAfterAChunkWithoutAChoiceFailsOver(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, func(w http.ResponseWriter, r *http.Request) {
		writes(http.StatusOK, "text/event-stream", sseData(filterChunk(0, 100)))(w, r)
		<-r.Context().Done()
	})

	out, rec := m.call(t, upstream.APIChatCompletions, true)

	assert.Equal(t, "good-id", out.Answered.ID, "%+v", out.Attempts)
	require.Len(t, out.Attempts, 2)
	assert.Contains(t, out.Attempts[0].Error, "timeout: no answer begun within")
	assert.Contains(t, rec.Body.String(), `"model":"good-id"`)
	assert.NotContains(t, rec.Body.String(), "prompt_filter_results")
}

// The answer's first event goes out at once, with the opening held before
// it: a Chat chunk with the first word, Claude's first content block
// (its content_block_start, even with no text yet), and what the
// translations make of them. A stall after it is bounded by the stream's
// silence limit, and the client hears of it in the stream's error event.
func TestAStreamThatStallsAfterItsFirstEventReachedTheClientKeepsItsModel(t *testing.T) {
	for name, tc := range map[string]struct {
		api      upstream.API
		stalling router.Model
		after    int
	}{
		"Chat Completions, after the first word":                       {upstream.APIChatCompletions, openAIModel("model-a"), 2},
		"Messages, after the first content block's start":              {upstream.APIMessages, anthropicModel("claude-x"), 2},
		"Responses from Claude, after the first content block's start": {upstream.APIResponses, anthropicModel("claude-x"), 2},
		"Chat Completions from Claude, after the first content block's start": {
			upstream.APIChatCompletions, anthropicModel("claude-x"), 2},
		"Messages from Chat Completions, after the first word": {upstream.APIMessages, openAIModel("model-a"), 2},
	} {
		t.Run(name, func(t *testing.T) {
			next := openAIModel("model-b")
			f := stallingAfter(t, tc.stalling, tc.after, time.Second)

			out, rec := streamThrough(t, f.fwd, tc.api, tc.stalling, next)

			assert.Equal(t, tc.stalling.ID, out.Answered.ID, "%+v", out.Attempts)
			assert.Equal(t, http.StatusBadGateway, out.Status, "a stream cut at its silence limit")
			assert.Empty(t, f.openai.RequestsFor(next.Name), "no failover once the client had an event")
			require.Len(t, out.Attempts, 1)
			assert.NotContains(t, out.Attempts[0].Error, "timeout: no")
			assert.Contains(t, rec.Body.String(), tc.stalling.ID, "the first event reached the client")
			assert.Contains(t, rec.Body.String(), "error", "the stream ends in an error event")
		})
	}
}

// A reasoning model's Responses or Claude stream may be silent after its
// opening for as long as the model reasons: that silence is no stall, so
// the attempt timeout ends at its opening and only the stream's silence
// limit bounds the rest.
func TestAReasoningModelsStreamIsNotFailedOverWhileItReasonsAfterItsOpening(t *testing.T) {
	for name, tc := range map[string]struct {
		api      upstream.API
		thinking router.Model
		after    int
	}{
		"Responses, after response.in_progress":             {upstream.APIResponses, openAIModel("model-r"), 2},
		"Messages, after message_start":                     {upstream.APIMessages, anthropicModel("claude-r"), 1},
		"Chat Completions from Claude, after message_start": {upstream.APIChatCompletions, anthropicModel("claude-r"), 1},
	} {
		t.Run(name, func(t *testing.T) {
			next := openAIModel("model-b")
			tc.thinking.Capabilities.Reasoning = true
			f := stallingAfter(t, tc.thinking, tc.after, time.Second)

			out, _ := streamThrough(t, f.fwd, tc.api, tc.thinking, next)

			assert.Empty(t, f.openai.RequestsFor(next.Name), "failed over while the model reasoned: %+v", out.Attempts)
			require.Len(t, out.Attempts, 1)
			assert.Equal(t, tc.thinking.ID, out.Attempts[0].Model)
			assert.NotContains(t, out.Attempts[0].Error, "timeout: no")
		})
	}
}
