package upstream_test

// Claude's `error` event is the last of its stream. A stream that ends
// there, whether the provider closes its connection or keeps it open (as a
// proxy in front of Claude may), fails over when nothing of the answer has
// gone out, and otherwise ends the client's stream at once with the error.

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

const (
	claudeStart = `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"broken","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}`
	claudeError = `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`
)

// No timeout of the gateway's ends these calls (the attempt timeout and
// the deadline are an hour): the error event does. A call that waited for
// the provider to close would hit the test's guard instead.
func TestAClaudeStreamEndsAtItsErrorEventThoughTheConnectionStaysOpen(t *testing.T) {
	for _, api := range []upstream.API{upstream.APIMessages, upstream.APIChatCompletions, upstream.APIResponses} {
		t.Run(string(api)+", before the answer: the next model answers", func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindAnthropic, writesThenHolds(
				sseNamed("message_start", claudeStart), sseNamed("ping", `{"type":"ping"}`), sseNamed("error", claudeError)))
			m.fwd.AttemptTimeout, m.fwd.Deadline = time.Hour, time.Hour

			out, rec := m.call(t, api, true)

			assert.Equal(t, m.good.ID, out.Answered.ID, "%+v", out.Attempts)
			require.Len(t, out.Attempts, 2)
			assert.Contains(t, out.Attempts[0].Error, "sent an error: Overloaded")
			assert.Contains(t, rec.Body.String(), "good.")
		})
		t.Run(string(api)+", after the answer began: the client hears of the error", func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindAnthropic, writesThenHolds(
				sseNamed("message_start", claudeStart),
				sseNamed("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
				sseNamed("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hal"}}`),
				sseNamed("error", claudeError)))
			m.fwd.AttemptTimeout, m.fwd.Deadline = time.Hour, time.Hour

			out, rec := m.call(t, api, true)

			assert.Equal(t, http.StatusBadGateway, out.Status)
			require.Len(t, out.Attempts, 1)
			assert.Contains(t, out.Attempts[0].Error, "sent an error: Overloaded")
			body := rec.Body.String()
			assert.Contains(t, body, "Hal")
			assert.Contains(t, body, "Overloaded", "the client hears why its stream ended")
		})
	}
}
