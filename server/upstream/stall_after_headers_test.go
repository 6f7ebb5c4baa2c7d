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
)

// stallers are providers that send their response headers at once and
// then nothing of an answer until the request is cancelled: a streaming
// server whose queue is stuck (the headers go out before the first token),
// one that sends only keep-alive comments, a JSON answer whose body never
// comes, a 503 whose body never ends.
var stallers = map[string]struct {
	stream bool
	h      http.HandlerFunc
}{
	"stream, no event": {true, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}},
	"stream, keep-alive comments only": {true, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			_, _ = w.Write([]byte(": keep-alive\n\n"))
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	}},
	"JSON, no body": {false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}},
	"503, body never ends": {false, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html><body>"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}},
}

// Failover is for a model that gives nothing before the client got a
// byte. A provider that sends headers and then no answer is such a model
// as much as one that sends no headers: the next model should answer,
// not the whole call wait out its deadline and end in a 502.
func TestAProviderThatStallsAfterItsHeadersFailsOverToTheNextModel(t *testing.T) {
	for name, s := range stallers {
		t.Run(name, func(t *testing.T) {
			m := newMisbehaving(t, upstream.KindOpenAI, s.h)
			out, rec := m.call(t, upstream.APIChatCompletions, s.stream)
			assert.Equal(t, "good-id", out.Answered.ID,
				"the next model was never tried: %d %v", out.Status, out.Err)
			assert.Equal(t, http.StatusOK, out.Status)
			assert.Contains(t, rec.Body.String(), "good.")
			if assert.NotEmpty(t, out.Attempts) {
				assert.Equal(t, "broken-id", out.Attempts[0].Model)
				assert.NotEmpty(t, out.Attempts[0].Error)
			}
		})
	}
}

// A provider that stalls after its headers fails every call it gets, as
// one that sends no headers does; Health should try it last after
// --unhealthy-after such calls, or every call pays for it again.
func TestAProviderThatStallsAfterItsHeadersTurnsUnhealthy(t *testing.T) {
	m := newMisbehaving(t, upstream.KindOpenAI, stallers["stream, no event"].h)
	m.fwd.Deadline = time.Second
	now := time.Unix(1_000_000, 0)
	m.fwd.Health = &upstream.Health{Now: func() time.Time { return now }}
	for range upstream.DefaultHealthThreshold {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out := m.fwd.Forward(ctx, httptest.NewRecorder(), upstream.Call{API: upstream.APIChatCompletions,
			Raw: bodyFor(upstream.APIChatCompletions, true), Stream: true, Order: []router.Model{m.bad, m.good}})
		cancel()
		require.NotEmpty(t, out.Attempts)
	}
	assert.NotEmpty(t, m.fwd.Health.Unhealthy(m.bad),
		"%d calls lost to a provider that stalls after its headers, and it is still tried first", upstream.DefaultHealthThreshold)
}
