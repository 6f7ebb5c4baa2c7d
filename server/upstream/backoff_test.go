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

// backoffRig forwards chat calls to the OpenAI fake with a Health and a
// Backoff on one clock the test moves.
type backoffRig struct {
	f       *fakes
	health  *upstream.Health
	backoff *upstream.Backoff
	now     time.Time
}

func newBackoffRig(t *testing.T) *backoffRig {
	rig := &backoffRig{f: newFakes(t), now: time.Unix(1_000_000, 0)}
	clock := func() time.Time { return rig.now }
	rig.health = &upstream.Health{Now: clock}
	rig.backoff = &upstream.Backoff{Now: clock}
	rig.f.fwd.Health, rig.f.fwd.Backoff = rig.health, rig.backoff
	return rig
}

func (rig *backoffRig) call(t *testing.T, models ...router.Model) upstream.Outcome {
	t.Helper()
	return rig.f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Order: models,
		Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
	})
}

func tooMany(header ...string) upstreamtest.Behavior {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailHeader: h}
}

// A provider that says how long to wait is left alone that long: the next
// calls skip its model, without a request, while another model is left.
func TestBackoffSkipsAModelForItsRetryAfter(t *testing.T) {
	rig := newBackoffRig(t)
	busy, well := openAIModel("busy"), openAIModel("well")
	rig.f.openai.Set("busy", tooMany("Retry-After", "20"))

	out := rig.call(t, busy, well)
	require.Equal(t, "well-id", out.Answered.ID)
	assert.Equal(t, "HTTP 429, retry after 20s", out.Attempts[0].Error)
	assert.Equal(t, 20*time.Second, rig.backoff.Wait(busy))
	assert.Equal(t, "rate limited: its provider answered HTTP 429 and asked to wait 20s more", rig.backoff.Reason(busy))
	assert.Equal(t, []string{"busy-id"}, rig.backoff.Models())

	rig.now = rig.now.Add(5 * time.Second)
	for range 5 {
		out = rig.call(t, busy, well)
		require.Equal(t, "well-id", out.Answered.ID)
		assert.Equal(t, "skipped: rate limited, its provider asked to wait 15s more", out.Attempts[0].Error)
		assert.Zero(t, out.Attempts[0].Status, "no request went out")
	}
	assert.Len(t, rig.f.openai.RequestsFor("busy"), 1)
	assert.Empty(t, rig.health.Unhealthy(busy), "a wait asked for is not a failure")

	// The wait over, it is asked again; its answer ends any wait.
	rig.f.openai.Set("busy", upstreamtest.Behavior{})
	rig.now = rig.now.Add(16 * time.Second)
	assert.Empty(t, rig.backoff.Reason(busy))
	assert.Equal(t, "busy-id", rig.call(t, busy, well).Answered.ID)
	assert.Empty(t, rig.backoff.Models())
}

// The model a call cannot do without (its last) is asked whatever the
// wait, and an answer ends the wait early.
func TestBackoffStillTriesTheLastModel(t *testing.T) {
	rig := newBackoffRig(t)
	busy := openAIModel("busy")
	rig.f.openai.Set("busy", upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests, FailTimes: 1,
		FailHeader: http.Header{"Retry-After": {"60"}}})
	rig.call(t, busy)
	require.Positive(t, rig.backoff.Wait(busy))

	rig.now = rig.now.Add(time.Second)
	out := rig.call(t, busy)
	require.Equal(t, "busy-id", out.Answered.ID)
	assert.Len(t, rig.f.openai.RequestsFor("busy"), 2)
	assert.Zero(t, rig.backoff.Wait(busy), "it answered")
}

// When every model's provider turns the call away, the client gets a 429
// with the shortest wait asked for, not a 502: a retry after it may well
// be answered.
func TestEveryModelRateLimitedIsA429(t *testing.T) {
	rig := newBackoffRig(t)
	a, b := openAIModel("a"), openAIModel("b")
	rig.f.openai.Set("a", tooMany("Retry-After", "7"))
	rig.f.openai.Set("b", tooMany("retry-after-ms", "2500"))

	out := rig.call(t, a, b)
	assert.Equal(t, http.StatusTooManyRequests, out.Status)
	assert.Equal(t, 2500*time.Millisecond, out.RetryAfter)
	assert.Equal(t, router.ERateLimited, router.ErrorCode(out.Err))
	assert.Contains(t, out.Err.Error(), "every upstream model is rate limited by its provider: a-id (HTTP 429, retry after 7s), b-id (HTTP 429, retry after 3s)")

	// Both now wait: the first is skipped, the last asked again.
	rig.now = rig.now.Add(time.Second)
	out = rig.call(t, a, b)
	assert.Equal(t, http.StatusTooManyRequests, out.Status)
	assert.Equal(t, 2500*time.Millisecond, out.RetryAfter, "b asked again")
	assert.Equal(t, "skipped: rate limited, its provider asked to wait 6s more", out.Attempts[0].Error)

	// A provider that does not say how long: no wait to pass on.
	rig.f.openai.Set("b", upstreamtest.Behavior{FailStatus: http.StatusTooManyRequests})
	out = rig.call(t, a, b)
	assert.Equal(t, http.StatusTooManyRequests, out.Status)
	assert.Zero(t, out.RetryAfter)

	// A provider that failed otherwise: the gateway's failure, a 502.
	rig.f.openai.Set("b", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	out = rig.call(t, a, b)
	assert.Equal(t, http.StatusBadGateway, out.Status)
	assert.Equal(t, router.EUpstream, router.ErrorCode(out.Err))
}

// A 5xx that says when to come back is waited for too, and, unlike a 429,
// still counts as a failure: the provider is not answering.
func TestBackoffHonoursA503sRetryAfterAndCountsItAsAFailure(t *testing.T) {
	rig := newBackoffRig(t)
	down, well := openAIModel("down"), openAIModel("well")
	rig.f.openai.Set("down", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable,
		FailHeader: http.Header{"Retry-After": {"2"}}})
	for range upstream.DefaultHealthThreshold {
		require.Equal(t, "well-id", rig.call(t, down, well).Answered.ID)
		assert.Equal(t, "rate limited: its provider answered HTTP 503 and asked to wait 2s more", rig.backoff.Reason(down))
		rig.now = rig.now.Add(3 * time.Second)
	}
	assert.Contains(t, rig.health.Unhealthy(down), "3 failures in a row, the last HTTP 503, retry after 2s")
}

// A provider asking for a day is asked again within minutes, and a shorter
// wait does not cut a longer one short.
func TestBackoffCapsAndKeepsTheLongerWait(t *testing.T) {
	rig := newBackoffRig(t)
	busy, well := openAIModel("busy"), openAIModel("well")
	rig.f.openai.Set("busy", tooMany("Retry-After", "86400"))
	rig.call(t, busy, well)
	assert.Equal(t, upstream.DefaultBackoffMax, rig.backoff.Wait(busy))

	rig.f.openai.Set("busy", tooMany("Retry-After", "1"))
	rig.call(t, busy) // its last model: asked, and says 1s
	assert.Equal(t, upstream.DefaultBackoffMax, rig.backoff.Wait(busy))
}
