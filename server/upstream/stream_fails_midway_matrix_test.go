package upstream_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// midwayAPI is a client API as a broken stream reaches it: the error event
// that ends it in that API's shape, and what ends a whole answer.
var midwayAPI = []struct {
	name        string
	api         upstream.API
	event, done string
}{
	{"chat", upstream.APIChatCompletions, `data: {"error":`, "data: [DONE]"},
	{"messages", upstream.APIMessages, "event: error\ndata: {", "event: message_stop"},
	{"responses", upstream.APIResponses, "event: error\ndata: {", "event: response.completed"},
}

// midwayProvider is a provider kind, with the number of its events after
// which the answer has reached the client on every API (past Responses'
// held response.created and response.in_progress, Anthropic's
// message_start, content_block_start and ping).
var midwayProvider = []struct {
	name  string
	model router.Model
	begun int
}{
	{"openai", openAIModel("model-a"), 6},
	{"anthropic", anthropicModel("claude-x"), 5},
}

// A provider whose stream dies once the answer has begun (its connection
// reset, or silent past the stream idle limit) leaves the client a partial
// answer, so the client must learn it is partial: each API's own error
// event ends the stream, never its end of answer; the call is the
// provider's failure (502), and no other model is tried, since a second
// answer would follow the first one's words. The same reset before any
// event reached the client is a failed attempt, and the next model
// answers whole. Every client API against both provider kinds.
func TestAStreamThatDiesMidwayEndsInItsAPIsShapeAndFailsOverOnlyBeforeSending(t *testing.T) {
	reply := "one two three four five six seven eight nine ten"
	for _, api := range midwayAPI {
		for _, p := range midwayProvider {
			next := openAIModel("model-next")
			for _, tc := range []struct {
				name     string
				behavior upstreamtest.Behavior
				error    string // in the client's error event
			}{
				{"reset", upstreamtest.Behavior{Reply: reply, CutAfter: p.begun}, "broke off"},
				{"silent", upstreamtest.Behavior{Reply: reply, Stall: true, StallAfter: p.begun}, "nothing for 300ms"},
			} {
				t.Run(api.name+"/"+p.name+"/"+tc.name+" after the answer began", func(t *testing.T) {
					f := newFakes(t)
					f.fwd.StreamIdle = 300 * time.Millisecond
					f.serving(p.model).Set(p.model.Name, tc.behavior)

					out, rec := streamThrough(t, f.fwd, api.api, p.model, next)

					body := rec.Body.String()
					assert.True(t, out.Wrote)
					assert.Equal(t, http.StatusBadGateway, out.Status, body)
					assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
					require.Len(t, out.Attempts, 1, "no failover once the client has part of an answer")
					assert.Empty(t, f.openai.RequestsFor(next.Name), "the next model is never asked")
					assert.Contains(t, body, "one", "the answer's beginning reached the client")
					assert.Contains(t, body, api.event, "the stream ends with its API's error event:\n%s", body)
					assert.Contains(t, body[strings.LastIndex(body, api.event):], tc.error)
					assert.NotContains(t, body, api.done, "a partial answer is never ended as a whole one")
				})
			}
			t.Run(api.name+"/"+p.name+"/reset before any event", func(t *testing.T) {
				f := newFakes(t)
				f.serving(p.model).Set(p.model.Name, upstreamtest.Behavior{Reply: reply, CutAfter: -1})

				out, rec := streamThrough(t, f.fwd, api.api, p.model, next)

				body := rec.Body.String()
				assert.Equal(t, http.StatusOK, out.Status, body)
				assert.Equal(t, next.ID, out.Answered.ID)
				require.Len(t, out.Attempts, 2)
				assert.Contains(t, out.Attempts[0].Error, "broke off")
				assert.Contains(t, body, api.done, "the next model's answer is whole")
				assert.NotContains(t, body, api.event)
			})
		}
	}
}
