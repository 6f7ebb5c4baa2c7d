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

// A provider that, mid-answer, sends only keep-alives (Anthropic's ping
// events, OpenAI's Responses keepalive events, an OpenAI-compatible
// server's `: keep-alive` comments) has
// stopped answering as surely as one that sends nothing: the stream is
// cut at the silence limit with its API's error event, rather than
// holding the client until it gives up.
func TestAStreamThatSendsOnlyKeepAlivesIsCutAtTheSilenceLimit(t *testing.T) {
	for name, tc := range map[string]struct {
		api      upstream.API
		stalling router.Model
		after    int // events before the keep-alives: the answer has begun
	}{
		"Messages from Claude, pings": {upstream.APIMessages, anthropicModel("claude-x"), 4},
		"Chat Completions from Claude, pings": {
			upstream.APIChatCompletions, anthropicModel("claude-x"), 4},
		"Chat Completions, keep-alive comments": {upstream.APIChatCompletions, openAIModel("model-a"), 2},
		"Responses, keepalive events":           {upstream.APIResponses, openAIModel("model-a"), 5},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakes(t)
			f.fwd.StreamIdle = 300 * time.Millisecond
			b := upstreamtest.Behavior{Reply: "one two three four", Stall: true, StallAfter: tc.after,
				KeepAliveEvery: 20 * time.Millisecond}
			fake := f.serving(tc.stalling)
			fake.Set(tc.stalling.Name, b)

			out, rec := streamThrough(t, f.fwd, tc.api, tc.stalling)

			assert.Equal(t, http.StatusBadGateway, out.Status, "%+v", out.Attempts)
			require.Len(t, out.Attempts, 1)
			assert.Contains(t, out.Attempts[0].Error, "nothing for 300ms")
			body := rec.Body.String()
			assert.Contains(t, body, "one", "the answer had begun")
			assert.Contains(t, body, "nothing for 300ms", "the client is told why its stream ended")
			assert.True(t, fake.WaitCancelled(tc.stalling.Name, 1, 5*time.Second), "the provider's request is ended")
		})
	}
}
