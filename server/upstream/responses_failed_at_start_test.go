package upstream_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// OpenAI opens every Responses stream with response.created and
// response.in_progress before the model has written anything; a provider
// that is overloaded then ends it with an error event and response.failed.
// Nothing of an answer was sent, so the next model answers, as when the
// provider refuses the call with a 5xx.
func TestAResponsesStreamThatFailsBeforeItsFirstOutputFailsOver(t *testing.T) {
	created := `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"bad","output":[]}}`
	inProgress := `{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","status":"in_progress","model":"bad","output":[]}}`
	failed := `{"type":"response.failed","sequence_number":3,"response":{"id":"resp_1","object":"response","status":"failed","model":"bad","output":[],"error":{"code":"server_error","message":"The server is overloaded"}}}`
	for _, tc := range []struct {
		name   string
		events []string
	}{
		{"error event, then response.failed", []string{sseNamed("response.created", created), sseNamed("response.in_progress", inProgress),
			sseNamed("error", `{"type":"error","sequence_number":2,"code":"server_error","message":"The server is overloaded"}`),
			sseNamed("response.failed", failed)}},
		{"response.failed alone", []string{sseNamed("response.created", created), sseNamed("response.failed", failed)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusOK, "text/event-stream", tc.events...))
			out, rec := m.call(t, upstream.APIResponses, true)
			assert.Equal(t, "good-id", out.Answered.ID, "the client got: %s", rec.Body.String())
			assert.NotContains(t, rec.Body.String(), "resp_1", "nothing of the failed stream reaches the client")
			assert.NotContains(t, rec.Body.String(), "overloaded")
			if assert.NotEmpty(t, out.Attempts) {
				assert.Contains(t, out.Attempts[0].Error, "overloaded")
			}
		})
	}
}
