package upstream_test

// Events before a stream's answer begins are held, so the stream can still
// fail over; the gateway holds only so much of them (a few events, 64 KiB).
// A provider that sends more before its answer (many chunks without a
// choice, or prompt filter results of a megabyte) has them passed on as
// they come: the client's stream is the provider's, every event in order.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// filterChunk is a chunk without a choice, as Azure sends its prompt
// filter results before the answer, padded to about size bytes.
func filterChunk(n, size int) string {
	return `{"id":"","object":"","created":0,"model":"","choices":[],"prompt_filter_results":[{"prompt_index":` +
		string(rune('0'+n%10)) + `,"note":"` + strings.Repeat("x", size) + `"}]}`
}

func TestPreAnswerEventsPastWhatTheGatewayHoldsReachTheClientWhole(t *testing.T) {
	for _, tc := range []struct {
		name        string
		count, size int
	}{
		{"over 64 KiB in a few events", 3, 40 << 10},
		{"one event of half a megabyte", 1, 512 << 10},
		{"more events than are held", 12, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before []string
			var parts []string
			for i := range tc.count {
				before = append(before, filterChunk(i, tc.size))
				parts = append(parts, sseData(before[i]))
			}
			parts = append(parts,
				chatChunkText("broken", "Hi from broken."),
				sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`),
				sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"broken","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}`),
				sseData("[DONE]"))
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", parts...))
			m.roomForALargeBody() // nothing stalls here; half a megabyte must not race the attempt timeout

			out, rec := m.call(t, upstream.APIChatCompletions, true)

			assert.Equal(t, "broken-id", out.Answered.ID, "%+v", out.Attempts)
			assert.True(t, out.Whole, "the answer is whole")
			frames := dataFrames(t, rec.Body.Bytes())
			require.Len(t, frames, tc.count+3, "every event but the usage the client did not ask for, and [DONE]")
			for i, want := range before {
				want = strings.Replace(want, `"model":""`, `"model":"broken-id"`, 1)
				assert.JSONEq(t, want, frames[i], "pre-answer event %d, in order and intact", i)
			}
			assert.Contains(t, frames[tc.count], "Hi from broken.")
			assert.Contains(t, frames[tc.count+1], `"finish_reason":"stop"`)
			assert.Equal(t, "[DONE]", frames[tc.count+2])
		})
	}
}
