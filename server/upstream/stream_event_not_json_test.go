package upstream_test

// A provider's stream event whose data is not JSON (a chunk cut short by a
// proxy and closed with its blank line, say) ends the stream as broken.
// Passed on as it came, it was a chunk the client's SDK cannot parse: the
// SDK stopped with a bare JSON syntax error and the log blamed the client
// for leaving; dropped, as the translations did, part of the answer was
// lost and the stream still ended as a success.

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// notJSONStreams are, per provider kind, a stream whose answer begins
// ("Hal"), then has an event cut inside its JSON, then goes on to a whole
// end; and the same cut event as the stream's first.
var notJSONStreams = map[string]struct{ begun, first []string }{
	upstream.KindOpenAI: {
		begun: []string{
			chatChunkText("broken", "Hal"),
			sseData(`{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo`),
			chatChunkText("broken", " there"),
			sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`),
			sseData("[DONE]"),
		},
		first: []string{sseData(`{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"lo`)},
	},
	upstream.KindAnthropic: {
		begun: []string{
			sseNamed("message_start", claudeStart),
			sseNamed("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
			sseNamed("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hal"}}`),
			sseNamed("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo`),
			sseNamed("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}`),
			sseNamed("content_block_stop", `{"type":"content_block_stop","index":0}`),
			sseNamed("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}`),
			sseNamed("message_stop", `{"type":"message_stop"}`),
		},
		first: []string{sseNamed("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"mess`)},
	},
}

func TestAStreamEventThatIsNotJSONEndsTheStreamAsBroken(t *testing.T) {
	for _, kind := range []string{upstream.KindOpenAI, upstream.KindAnthropic} {
		for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIResponses, upstream.APIMessages} {
			if api == upstream.APIResponses && kind == upstream.KindOpenAI {
				continue // its events are Chat chunks; a Responses stream is passed on as Chat's is
			}
			t.Run(kind+" to "+string(api), func(t *testing.T) {
				m := newMisbehaving(t, kind, writesThenHolds(notJSONStreams[kind].begun...))
				m.fwd.AttemptTimeout, m.fwd.Deadline = time.Hour, time.Hour

				out, rec := m.call(t, api, true)

				assert.Equal(t, http.StatusBadGateway, out.Status, "an answer with a part lost is no success: %s", rec.Body.String())
				require.Len(t, out.Attempts, 1)
				assert.Contains(t, out.Attempts[0].Error, "not JSON")
				frames := dataFrames(t, rec.Body.Bytes())
				require.NotEmpty(t, frames)
				for _, data := range frames {
					assert.True(t, data == "[DONE]" || json.Valid([]byte(data)), "the client got a chunk its SDK cannot parse: %s", data)
				}
				assert.Contains(t, rec.Body.String(), "Hal")
				assert.NotContains(t, rec.Body.String(), " there", "nothing after the lost part goes out as if it followed on")
				assert.Contains(t, frames[len(frames)-1], "not JSON", "the client hears why its stream ended")
			})
		}
	}
}

func TestAStreamWhoseFirstEventIsNotJSONFailsOver(t *testing.T) {
	for _, kind := range []string{upstream.KindOpenAI, upstream.KindAnthropic} {
		for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIResponses, upstream.APIMessages} {
			t.Run(kind+" to "+string(api), func(t *testing.T) {
				m := newMisbehaving(t, kind, writesThenHolds(notJSONStreams[kind].first...))
				m.fwd.AttemptTimeout, m.fwd.Deadline = time.Hour, time.Hour

				out, rec := m.call(t, api, true)

				assert.Equal(t, m.good.ID, out.Answered.ID, "%+v", out.Attempts)
				require.Len(t, out.Attempts, 2)
				assert.Contains(t, out.Attempts[0].Error, "not JSON")
				assert.Contains(t, rec.Body.String(), m.goodAnswer[:5])
			})
		}
	}
}
