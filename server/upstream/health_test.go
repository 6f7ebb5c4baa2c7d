package upstream_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// healthRig forwards chat calls to the OpenAI fake with a Health whose
// clock the test moves.
type healthRig struct {
	f      *fakes
	health *upstream.Health
	now    time.Time
}

func newHealthRig(t *testing.T) *healthRig {
	rig := &healthRig{f: newFakes(t), now: time.Unix(1_000_000, 0)}
	rig.health = &upstream.Health{Now: func() time.Time { return rig.now }}
	rig.f.fwd.Health = rig.health
	return rig
}

func (rig *healthRig) call(t *testing.T, ctx context.Context, models ...router.Model) upstream.Outcome {
	t.Helper()
	return rig.f.fwd.Forward(ctx, httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Order: models,
		Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
	})
}

// stream is call asking for a stream: the attempt timeout waits for its
// headers from the sending on, so a provider that sends none stalls.
func (rig *healthRig) stream(t *testing.T, ctx context.Context, models ...router.Model) upstream.Outcome {
	t.Helper()
	return rig.f.fwd.Forward(ctx, httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Order: models, Stream: true,
		Raw: []byte(`{"model":"x","stream":true,"messages":[{"role":"user","content":"hi"}]}`),
	})
}

func TestHealthTurnsAModelUnhealthyAfterFailuresInARow(t *testing.T) {
	rig := newHealthRig(t)
	sick, well := openAIModel("sick"), openAIModel("well")
	rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	ctx := context.Background()

	for i := range upstream.DefaultHealthThreshold {
		assert.Empty(t, rig.health.Unhealthy(sick), "after %d failures", i)
		out := rig.call(t, ctx, sick, well)
		require.Equal(t, "well-id", out.Answered.ID, "failed over")
	}
	assert.Equal(t, []string{"sick-id"}, rig.health.UnhealthyModels())
	why := rig.health.Unhealthy(sick)
	assert.Contains(t, why, "3 failures in a row, the last HTTP 503")
	assert.Contains(t, why, "30s more")
	assert.Empty(t, rig.health.Unhealthy(well))

	// Cooled down, it is tried again; failing again, it is out for twice
	// as long.
	rig.now = rig.now.Add(upstream.DefaultHealthCooldown + time.Second)
	assert.Empty(t, rig.health.Unhealthy(sick))
	rig.call(t, ctx, sick, well)
	assert.Contains(t, rig.health.Unhealthy(sick), "1m0s more")

	// Recovered: one answer makes it healthy, its failures forgotten.
	rig.f.openai.Set("sick", upstreamtest.Behavior{})
	rig.now = rig.now.Add(time.Hour)
	out := rig.call(t, ctx, sick, well)
	require.Equal(t, "sick-id", out.Answered.ID)
	rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	rig.call(t, ctx, sick, well)
	assert.Empty(t, rig.health.Unhealthy(sick), "one failure after an answer is not three in a row")
}

// Only the provider's failures count: what the call did to itself (a
// client that left), what was never sent (a request that cannot be
// translated) and a client error (the provider is up) do not.
func TestHealthCountsOnlyTheProvidersFailures(t *testing.T) {
	rig := newHealthRig(t)
	m := openAIModel("m")
	claude := anthropicModel("claude-x")

	rig.f.openai.Set("m", upstreamtest.Behavior{Stall: true})
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		rig.call(t, ctx, m)
		cancel()
	}
	assert.Empty(t, rig.health.Unhealthy(m), "the client left: says nothing about the provider")

	for range 5 {
		out := rig.f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
			API: upstream.APIChatCompletions, Order: []router.Model{claude},
			Raw: []byte(`{"model":"x","n":2,"messages":[{"role":"user","content":"hi"}]}`),
		})
		require.Error(t, out.Err)
	}
	assert.Empty(t, rig.health.Unhealthy(claude), "never sent: Claude cannot take n > 1")
	assert.Empty(t, rig.f.anthropic.Requests())

	rig.f.openai.Set("m", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable, FailTimes: 2})
	rig.call(t, context.Background(), m)
	rig.call(t, context.Background(), m)
	rig.f.openai.Set("m", upstreamtest.Behavior{FailStatus: http.StatusBadRequest})
	rig.call(t, context.Background(), m)
	rig.f.openai.Set("m", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	rig.call(t, context.Background(), m)
	assert.Empty(t, rig.health.Unhealthy(m), "a 400 between the 503s: the provider is up")
	rig.call(t, context.Background(), m)
	rig.call(t, context.Background(), m)
	assert.True(t, strings.HasPrefix(rig.health.Unhealthy(m), "unhealthy: 3 failures in a row"))
}

func TestHealthStallsCountAsFailures(t *testing.T) {
	rig := newHealthRig(t)
	rig.f.fwd.AttemptTimeout = 20 * time.Millisecond
	m := openAIModel("staller")
	rig.f.openai.Set("staller", upstreamtest.Behavior{Stall: true})
	for range upstream.DefaultHealthThreshold {
		rig.stream(t, context.Background(), m, openAIModel("well"))
	}
	assert.Contains(t, rig.health.Unhealthy(m), "timeout: no response headers within 20ms")
}

// A non-streamed call is not failed over while it waits for its headers
// (they come only once the answer is whole), but a provider that sends
// none until the call's deadline runs out, past the attempt timeout, has
// stalled as surely as a stream that sends none: it counts against the
// model, or JSON traffic alone would send every call to a stalled model
// for the whole --call-timeout. A deadline that runs out sooner than the
// attempt timeout says nothing about the provider.
func TestHealthCountsAJSONCallThatGetsNoHeadersBeforeTheCallDeadline(t *testing.T) {
	rig := newHealthRig(t)
	m, next := openAIModel("staller"), openAIModel("well")
	rig.f.openai.Set("staller", upstreamtest.Behavior{Stall: true})

	rig.f.fwd.AttemptTimeout, rig.f.fwd.Deadline = 5*time.Second, 200*time.Millisecond
	for range upstream.DefaultHealthThreshold {
		out := rig.call(t, context.Background(), m, next)
		require.Equal(t, http.StatusBadGateway, out.Status)
	}
	assert.Empty(t, rig.health.Unhealthy(m), "the deadline ran out before the attempt timeout could")

	rig.f.fwd.AttemptTimeout = 20 * time.Millisecond
	for range upstream.DefaultHealthThreshold {
		out := rig.call(t, context.Background(), m, next)
		assert.Equal(t, http.StatusBadGateway, out.Status)
		assert.Len(t, out.Attempts, 1, "not failed over: %+v", out.Attempts)
	}
	assert.Empty(t, rig.f.openai.RequestsFor(next.Name))
	assert.Contains(t, rig.health.Unhealthy(m), "timeout: no response headers within the call's 200ms deadline")
}

// BenchmarkFailoverPastAStallingModel is a streaming call whose first
// model's provider stalls (no headers within the attempt timeout, here
// 20 ms; 60 s by default) and whose second answers. Without Health every call waits
// the timeout out; with it, once three calls have (before the loop), the
// stalling model goes last, as the router puts it.
func BenchmarkFailoverPastAStallingModel(b *testing.B) {
	for _, withHealth := range []bool{false, true} {
		name := "health=off"
		if withHealth {
			name = "health=on"
		}
		b.Run(name, func(b *testing.B) {
			o := upstreamtest.NewOpenAI(b)
			o.Set("staller", upstreamtest.Behavior{Stall: true})
			fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{
				"OPENAI_BASE_URL": o.URL, "OPENAI_API_KEY": "sk",
			})), AttemptTimeout: 20 * time.Millisecond}
			if withHealth {
				fwd.Health = &upstream.Health{}
			}
			staller, well := openAIModel("staller"), openAIModel("well")
			raw := []byte(`{"model":"x","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
			call := func() {
				order := []router.Model{staller, well}
				if fwd.Health.Unhealthy(staller) != "" {
					order = []router.Model{well, staller}
				}
				out := fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
					API: upstream.APIChatCompletions, Order: order, Raw: raw, Stream: true,
				})
				if out.Answered.ID != "well-id" {
					b.Fatalf("answered by %q: %v", out.Answered.ID, out.Err)
				}
			}
			if withHealth {
				for range upstream.DefaultHealthThreshold {
					call()
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				call()
			}
		})
	}
}

// waitForRequests waits until the fake has received n requests for model:
// the calls that sent them have been admitted.
func (rig *healthRig) waitForRequests(t *testing.T, model string, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return len(rig.f.openai.RequestsFor(model)) >= n },
		5*time.Second, time.Millisecond)
}

// trip makes sick unhealthy with three 503s.
func (rig *healthRig) trip(t *testing.T, sick, well router.Model) {
	t.Helper()
	rig.f.openai.Set(sick.Name, upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	for range upstream.DefaultHealthThreshold {
		rig.call(t, context.Background(), sick, well)
	}
	require.NotEmpty(t, rig.health.Unhealthy(sick))
}

// A provider that refuses the gateway itself (its key revoked, a model its
// account does not serve) fails every call routed to the model, as an
// outage does: the model is tried last, and the reason names the refusal.
func TestHealthCountsAProviderRefusingTheGatewayAsAFailure(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			rig := newHealthRig(t)
			sick, well := openAIModel("sick"), openAIModel("well")
			rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: status})
			for range upstream.DefaultHealthThreshold {
				require.Equal(t, "well-id", rig.call(t, context.Background(), sick, well).Answered.ID, "failed over")
			}
			assert.Contains(t, rig.health.Unhealthy(sick),
				fmt.Sprintf("3 failures in a row, the last HTTP %d: forced failure %d for sick", status, status))
		})
	}
}

// Cooled down, a model is tried again by one call at a time: the others
// skip it at once, so a provider still stalling costs one call the wait,
// not every call of the moment.
func TestHealthTriesACooledDownModelOneCallAtATime(t *testing.T) {
	rig := newHealthRig(t)
	rig.f.fwd.AttemptTimeout = 300 * time.Millisecond
	sick, well := openAIModel("sick"), openAIModel("well")
	rig.trip(t, sick, well)
	rig.f.openai.Set("sick", upstreamtest.Behavior{Stall: true})
	rig.now = rig.now.Add(upstream.DefaultHealthCooldown + time.Second)
	require.Empty(t, rig.health.Unhealthy(sick), "cooled down: routing ranks it again")
	before := len(rig.f.openai.RequestsFor("sick"))

	var wg sync.WaitGroup
	outs := make([]upstream.Outcome, 20)
	for i := range outs {
		wg.Add(1)
		go func() { defer wg.Done(); outs[i] = rig.stream(t, context.Background(), sick, well) }()
	}
	wg.Wait()
	assert.Equal(t, 1, len(rig.f.openai.RequestsFor("sick"))-before, "one call tried it")
	for _, out := range outs {
		assert.Equal(t, "well-id", out.Answered.ID)
	}
	assert.Contains(t, rig.health.Unhealthy(sick), "1m0s more", "still failing: out for twice as long")
}

// A client error (a bad request that reached it as the last resort) shows
// the provider is up, but does not end an outage of 503s.
func TestHealthAClientErrorDoesNotEndAnOutage(t *testing.T) {
	rig := newHealthRig(t)
	sick, well := openAIModel("sick"), openAIModel("well")
	rig.trip(t, sick, well)
	rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: http.StatusBadRequest})
	rig.call(t, context.Background(), sick)
	assert.Contains(t, rig.health.Unhealthy(sick), "tried last for")
}

// What began before a model turned unhealthy says nothing about it since.
func TestHealthIgnoresCallsFromBeforeTheTrip(t *testing.T) {
	rig := newHealthRig(t)
	rig.health.Threshold = 1
	sick, well := openAIModel("sick"), openAIModel("well")
	rig.f.openai.Set("sick", upstreamtest.Behavior{Delay: 100 * time.Millisecond})
	done := make(chan upstream.Outcome)
	go func() { done <- rig.call(t, context.Background(), sick, well) }()
	rig.waitForRequests(t, "sick", 1) // the slow call is on its way
	rig.f.openai.Set("sick", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	rig.now = rig.now.Add(time.Second)
	rig.call(t, context.Background(), sick, well)
	require.NotEmpty(t, rig.health.Unhealthy(sick))
	require.Equal(t, "sick-id", (<-done).Answered.ID)
	assert.NotEmpty(t, rig.health.Unhealthy(sick), "an answer to a call sent before the trip does not end it")
}

// A relayed stream that goes quiet and is cut by the gateway was answered
// with a 200: nothing against the provider.
func TestHealthACutRelayStreamIsNoProviderError(t *testing.T) {
	h := &upstream.Health{}
	for range 5 {
		relayTo(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: response.in_progress\ndata: {\"type\":\"response.in_progress\",\"sequence_number\":0}\n\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, func(f *upstream.Forwarder) { f.StreamIdle, f.Health = 30*time.Millisecond, h }, http.MethodGet, "/resp_1", true)
	}
	assert.Empty(t, h.Unhealthy(openAIModel("model-a")))
}

// While one call tries a cooled-down model again, a call with no other
// model left still tries it, rather than fail untried.
func TestHealthACallsLastModelIsTriedDuringAProbe(t *testing.T) {
	rig := newHealthRig(t)
	rig.f.fwd.AttemptTimeout = 2 * time.Second
	sick, well := openAIModel("sick"), openAIModel("well")
	rig.trip(t, sick, well)
	rig.f.openai.Set("sick", upstreamtest.Behavior{Delay: 300 * time.Millisecond})
	rig.now = rig.now.Add(upstream.DefaultHealthCooldown + time.Second)
	done := make(chan struct{})
	sent := len(rig.f.openai.RequestsFor("sick"))
	go func() { defer close(done); rig.call(t, context.Background(), sick, well) }() // the probe
	rig.waitForRequests(t, "sick", sent+1)
	out := rig.call(t, context.Background(), sick)
	<-done
	require.Len(t, out.Attempts, 1)
	assert.Equal(t, "sick-id", out.Answered.ID, "its only model, tried: %v", out.Err)
}
