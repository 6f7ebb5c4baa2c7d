package upstream_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A provider whose JSON answer (a call without stream) stops halfway
// through its body, its connection reset or silent for good after the
// status and part of the body, has given no answer, and none of it has
// gone to the client (a JSON answer goes out whole or not at all): the
// next model answers, on every client API, from either provider kind,
// and the decision log names what the first model's answer did.
func TestAJSONAnswerThatStopsHalfwayFailsOverToTheNextModel(t *testing.T) {
	for _, kind := range []string{upstream.KindOpenAI, upstream.KindAnthropic} {
		for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIMessages, upstream.APIResponses} {
			for _, tc := range []struct {
				name, attempt string
				end           func(w http.ResponseWriter, r *http.Request)
			}{
				{"reset", "answer broke off", func(w http.ResponseWriter, _ *http.Request) {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						_ = conn.Close()
					}
				}},
				{"silent", "timeout: no whole answer within", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
			} {
				t.Run(kind+"/"+string(api)+"/"+tc.name, func(t *testing.T) {
					m := newMisbehaving(t, kind, func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Content-Type", "application/json")
						w.Header().Set("Content-Length", "400")
						w.WriteHeader(http.StatusOK)
						_, _ = w.Write([]byte(`{"id":"half-1","content":[{"type":"text","text":"the first ha`))
						w.(http.Flusher).Flush()
						tc.end(w, r)
					})

					out, rec := m.call(t, api, false)

					assert.Equal(t, http.StatusOK, out.Status, rec.Body.String())
					assert.Equal(t, m.good.ID, out.Answered.ID)
					require.Len(t, out.Attempts, 2)
					assert.Contains(t, out.Attempts[0].Error, tc.attempt)
					assert.Contains(t, rec.Body.String(), m.goodAnswer)
					assert.NotContains(t, rec.Body.String(), "the first ha", "no part of the broken answer reaches the client")
				})
			}
		}
	}
}
