package upstream_test

// A provider's message is kept to 300 characters wherever the gateway
// records it, as a refusal's is: an error body on a 200 or an error event
// that quotes a whole request (as vLLM's validation errors do) would
// otherwise put its megabytes in the decision log's attempts and in the
// server log, and make echoed.Replace's pass over them as long.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

func TestALongProviderMessageIsRecordedCutTo300Characters(t *testing.T) {
	long := strings.Repeat("the request quoted back ", 1000) // 24,000 characters
	errorBody, err := json.Marshal(map[string]any{"error": map[string]any{"message": long, "type": "invalid_request_error"}})
	require.NoError(t, err)
	cases := map[string]struct {
		handler http.HandlerFunc
		stream  bool
		cause   string
	}{
		"an error body on a 200": {
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(errorBody)
			},
			cause: "with an error instead of an answer: ",
		},
		"an error event opening a stream": {
			handler: writesThenHolds(sseData(roleChunk), sseData(string(errorBody)), sseData("[DONE]")),
			stream:  true,
			cause:   "sent an error: ",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, c.handler)

			out, _ := m.call(t, upstream.APIChatCompletions, c.stream)

			assert.Equal(t, m.good.ID, out.Answered.ID, "the next model answers: %+v", out.Attempts)
			require.NotEmpty(t, out.Attempts)
			recorded := out.Attempts[0].Error
			assert.Contains(t, recorded, c.cause)
			_, message, _ := strings.Cut(recorded, c.cause)
			assert.Equal(t, 300+len("..."), utf8.RuneCountInString(message), "%q", recorded)
			assert.True(t, strings.HasPrefix(long, strings.TrimSuffix(message, "...")), "%q", message)
		})
	}
}
