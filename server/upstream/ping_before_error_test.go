package upstream_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A keep-alive ping is no part of an answer. A Claude stream (through a
// proxy that pings from the start) that sends a ping and then its
// overloaded_error has answered nothing, so the next model should answer,
// as it does on Chat Completions and Responses, where the ping is not
// passed on. On Messages the ping went out first, so the call is stuck
// with Claude, and its overloaded_error is swapped for an api_error.
func TestAPingBeforeAnErrorEventDoesNotStopFailover(t *testing.T) {
	ping := sseNamed("ping", `{"type":"ping"}`)
	overloaded := sseNamed("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
	for _, api := range []upstream.API{upstream.APIMessages, upstream.APIChatCompletions, upstream.APIResponses} {
		t.Run(string(api), func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindAnthropic, writes(http.StatusOK, "text/event-stream", ping, overloaded))
			out, rec := m.call(t, api, true)
			assert.Equal(t, "good-id", out.Answered.ID, "the next model was not tried: %s", rec.Body.String())
			assert.Contains(t, rec.Body.String(), "good.")
		})
	}
}

// A ping before message_start that is followed by an answer costs the
// answer nothing: the Messages client's stream opens with message_start
// and carries the model's text.
func TestAPingBeforeMessageStartIsNotPassedOn(t *testing.T) {
	m := newMisbehaving(t, upstream.KindAnthropic, writes(http.StatusOK, "text/event-stream",
		sseNamed("ping", `{"type":"ping"}`),
		sseNamed("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}`),
		sseNamed("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
		sseNamed("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi from broken."}}`),
		sseNamed("content_block_stop", `{"type":"content_block_stop","index":0}`),
		sseNamed("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":4}}`),
		sseNamed("message_stop", `{"type":"message_stop"}`),
	))
	out, rec := m.call(t, upstream.APIMessages, true)
	body := rec.Body.String()
	assert.Equal(t, "broken-id", out.Answered.ID, "%+v", out.Attempts)
	assert.True(t, out.Whole)
	assert.True(t, strings.HasPrefix(body, "event: message_start\n"), body)
	assert.Contains(t, body, "Hi from broken.")
}
