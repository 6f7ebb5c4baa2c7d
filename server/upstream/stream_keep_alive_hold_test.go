package upstream_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A provider that opens its stream (response.created, message_start) and
// then sends only keep-alives has not begun to answer, however many it
// sends: the attempt timeout fails it over to the next model, and none of
// its events, keep-alives included, reach the client.
func TestAStreamOfKeepAlivesAfterItsOpeningFailsOverToTheNextModel(t *testing.T) {
	for name, tc := range map[string]struct {
		api       upstream.API
		stalling  router.Model
		keepAlive string // what the stalling model's keep-alives look like to the client
	}{
		"Responses, keepalive events": {upstream.APIResponses, openAIModel("model-a"), `"type":"keepalive"`},
		"Messages from Claude, pings": {upstream.APIMessages, anthropicModel("claude-x"), "event: ping"},
	} {
		t.Run(name, func(t *testing.T) {
			next := openAIModel("model-b")
			f := stallingAfter(t, tc.stalling, 1, 2*time.Second)
			// Many more keep-alives within the attempt timeout than the
			// events held before an answer begins.
			b := upstreamtest.Behavior{Stall: true, StallAfter: 1, KeepAliveEvery: 5 * time.Millisecond}
			f.serving(tc.stalling).Set(tc.stalling.Name, b)

			out, rec := streamThrough(t, f.fwd, tc.api, tc.stalling, next)

			assert.Equal(t, next.ID, out.Answered.ID, "%+v", out.Attempts)
			assert.Equal(t, http.StatusOK, out.Status)
			require.Len(t, out.Attempts, 2)
			assert.Contains(t, out.Attempts[0].Error, "timeout: no answer begun within")
			body := rec.Body.String()
			assert.Contains(t, body, next.ID, "the next model's answer reached the client")
			assert.NotContains(t, body, tc.stalling.ID, "the stalled model's opening never reached the client")
			assert.NotContains(t, body, tc.keepAlive, "nor its keep-alives")
		})
	}
}
