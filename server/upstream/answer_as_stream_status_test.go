package upstream_test

import (
	"testing"

	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// A Responses answer in JSON to a streaming request ends its stream as
// OpenAI ends the stream of a response in that state: response.completed
// only for a completed one, which the client's SDK takes for a whole
// answer.

// responseWithStatus is a JSON Responses answer in state status, with
// more members added.
func responseWithStatus(status, more string) string {
	return `{"id":"resp_bg1","object":"response","created_at":1,"status":"` + status + `","model":"p",` + more +
		`"usage":null,"background":true}`
}

// eventTypes lists the types of a stream's events, in order.
func eventTypes(evs []responses.ResponseStreamEventUnion) []string {
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	return types
}

func TestResponsesStreamOfAFailedJSONAnswerEndsFailed(t *testing.T) {
	body := responseWithStatus("failed", `"error":{"code":"server_error","message":"The model failed to answer."},"output":[],`)
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIResponses, body)

	evs, err := streamEvents(t, sdkClient(g), lookupParams())
	require.NoError(t, err)
	g.outcome(t)

	streamed := final(t, evs, "response.failed")
	assert.Equal(t, responses.ResponseStatusFailed, streamed.Status)
	assert.Equal(t, "The model failed to answer.", streamed.Error.Message)
	assert.NotContains(t, eventTypes(evs), "response.completed")
}

// A cancelled response is over but neither whole nor failed, and the API
// has no event of its own for it: its stream ends in response.incomplete,
// whose response says cancelled.
func TestResponsesStreamOfACancelledJSONAnswerEndsIncomplete(t *testing.T) {
	body := responseWithStatus("cancelled", `"output":[],`)
	g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIResponses, body)

	evs, err := streamEvents(t, sdkClient(g), lookupParams())
	require.NoError(t, err)
	g.outcome(t)

	streamed := final(t, evs, "response.incomplete")
	assert.Equal(t, responses.ResponseStatusCancelled, streamed.Status)
	assert.NotContains(t, eventTypes(evs), "response.completed")
}

// A background response answered in JSON is queued or in progress, not
// over: its stream opens as OpenAI opens a background response's stream
// and ends without a last event, so the client reads the rest by the
// response's id rather than taking an empty answer for a whole one.
func TestResponsesStreamOfABackgroundJSONAnswerEndsWithoutClaimingAnEnd(t *testing.T) {
	for status, opening := range map[string]string{
		"queued":      "response.queued",
		"in_progress": "response.in_progress",
	} {
		t.Run(status, func(t *testing.T) {
			g := jsonAnswering(t, upstream.KindOpenAI, upstream.APIResponses, responseWithStatus(status, `"output":[],`))

			evs, err := streamEvents(t, sdkClient(g), lookupParams())
			require.NoError(t, err)
			out := g.outcome(t)

			assert.Equal(t, "broken-id", out.Answered.ID)
			require.Equal(t, []string{"response.created", opening}, eventTypes(evs))
			for i, ev := range evs {
				assert.EqualValues(t, i, ev.SequenceNumber)
				assert.Equal(t, "resp_bg1", ev.Response.ID, "the id the client reads the rest by")
				assert.Equal(t, responses.ResponseStatus(status), ev.Response.Status)
			}
		})
	}
}
