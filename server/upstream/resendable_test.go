package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A call whose client has another way to its answer (a thread
// continuation, which it can send again whole) does not ask a model known
// to be failing as its last resort: while its provider's wait runs, or
// while it is unhealthy, the model is skipped without a request. Cooled
// down, it is asked again.
func TestResendableCallSkipsItsLastModelWhileItWaitsOrIsUnhealthy(t *testing.T) {
	rig := newBackoffRig(t)
	busy, sick := openAIModel("busy"), openAIModel("sick")
	rig.f.openai.Set("busy", tooMany("Retry-After", "60"))
	rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	rig.call(t, busy)
	for range upstream.DefaultHealthThreshold {
		rig.call(t, sick)
	}
	require.NotEmpty(t, rig.health.Unhealthy(sick))
	resend := func(m router.Model) upstream.Outcome {
		return rig.f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
			API: upstream.APIChatCompletions, Order: []router.Model{m}, Resendable: true,
			Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
		})
	}

	out := resend(busy)
	assert.Empty(t, out.Answered.ID)
	require.Len(t, out.Attempts, 1)
	assert.True(t, out.Attempts[0].NotSent)
	assert.Equal(t, "skipped: rate limited, its provider asked to wait 1m0s more", out.Attempts[0].Error)
	assert.Len(t, rig.f.openai.RequestsFor("busy"), 1, "no request while the wait runs")

	out = resend(sick)
	assert.Empty(t, out.Answered.ID)
	require.Len(t, out.Attempts, 1)
	assert.True(t, out.Attempts[0].NotSent)
	assert.Contains(t, out.Attempts[0].Error, "skipped: unhealthy: 3 failures in a row, the last HTTP 503")
	assert.Len(t, rig.f.openai.RequestsFor("sick"), upstream.DefaultHealthThreshold, "no request while it is unhealthy")

	rig.f.openai.Set("sick", upstreamtest.Behavior{})
	rig.now = rig.now.Add(upstream.DefaultHealthCooldown + time.Second)
	assert.Equal(t, "sick-id", resend(sick).Answered.ID, "cooled down, it is asked again")
}
