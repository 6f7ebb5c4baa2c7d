package upstream_test

// The event stream format allows one byte order mark before the first
// event (a few servers on Windows stacks write one). It is not part of the
// first field's name: dropped there, the first chunk, with the answer's
// opening words, would vanish from a stream that still ends as whole.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestAStreamThatBeginsWithAByteOrderMarkReachesTheClientWhole(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	for _, contentType := range []string{"text/event-stream", ""} {
		t.Run("Content-Type "+contentType, func(t *testing.T) {
			parts := append([]string{bom}, chatSSEAnswer...)
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, contentType, parts...))
			out, rec := m.call(t, upstream.APIChatCompletions, true, m.bad) // the only model: its answer is the one to deliver
			assert.Equal(t, "broken-id", out.Answered.ID, "%d %v %+v", out.Status, out.Err, out.Attempts)
			assert.Contains(t, strings.Join(dataFrames(t, rec.Body.Bytes()), "\n"), "Hi from SSE", "the first chunk's words")
		})
	}
}
