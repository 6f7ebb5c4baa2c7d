package upstream_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// misbehaving is a call's first model served by a provider that answers
// with whatever handler writes (a proxy's page, a body of the wrong shape,
// a stream that stalls), and its second model served by the OpenAI fake,
// which answers "Hello from good.". Nothing has gone to the client when
// the first model's answer turns out to be none, so the second can answer.
type misbehaving struct {
	fwd        *upstream.Forwarder
	bad, good  router.Model
	goodAnswer string
}

func newMisbehaving(t *testing.T, kind string, handler http.HandlerFunc) *misbehaving {
	t.Helper()
	bad := httptest.NewServer(handler)
	t.Cleanup(func() {
		bad.CloseClientConnections()
		bad.Close()
	})
	good := upstreamtest.NewOpenAI(t)
	format := "OpenAI"
	if kind == upstream.KindAnthropic {
		format = "Anthropic"
	}
	return &misbehaving{
		fwd: &upstream.Forwarder{Providers: upstream.Providers{ByName: map[string]upstream.Provider{
			"bad":    {Name: "bad", Kind: kind, BaseURL: bad.URL, APIKey: "sk-bad"},
			"openai": {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: good.URL, APIKey: "sk-good"},
		}}, AttemptTimeout: 500 * time.Millisecond, Deadline: 3 * time.Second, StreamIdle: 3 * time.Second},
		bad:        router.Model{ID: "broken-id", Name: "broken", Provider: "bad", Format: format},
		good:       router.Model{ID: "good-id", Name: "good", Provider: "openai", Format: "OpenAI"},
		goodAnswer: "Hello from good.",
	}
}

// roomForALargeBody lifts the half-second attempt timeout and 3 s deadline,
// which are there for the stalls these tests provoke, for a test whose
// provider answers at once with a body of megabytes: read, redacted and
// shortened on a machine loaded by a race-detector run, that can take
// longer, and the test is about what the client reads, not about time.
func (m *misbehaving) roomForALargeBody() {
	m.fwd.AttemptTimeout, m.fwd.Deadline, m.fwd.StreamIdle = 20*time.Second, 25*time.Second, 25*time.Second
}

// bodyFor is a minimal client body of api.
func bodyFor(api upstream.API, stream bool) []byte {
	s := strconv.FormatBool(stream)
	switch api {
	case upstream.APIMessages:
		return []byte(`{"model":"r","max_tokens":50,"stream":` + s + `,"messages":[{"role":"user","content":"hi"}]}`)
	case upstream.APIResponses:
		return []byte(`{"model":"r","stream":` + s + `,"input":"hi"}`)
	}
	return []byte(`{"model":"r","stream":` + s + `,"messages":[{"role":"user","content":"hi"}]}`)
}

// call forwards a call of api through the bad model, then the good one
// (order overrides that), under a guard that turns a hang into a failure.
func (m *misbehaving) call(t *testing.T, api upstream.API, stream bool, order ...router.Model) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	if order == nil {
		order = []router.Model{m.bad, m.good}
	}
	return m.forward(t, upstream.Call{API: api, Raw: bodyFor(api, stream), Stream: stream, Order: order})
}

// forward makes call, failing the test when it hangs.
func (m *misbehaving) forward(t *testing.T, call upstream.Call) (upstream.Outcome, *httptest.ResponseRecorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	out := m.fwd.Forward(ctx, rec, call)
	if ctx.Err() != nil {
		t.Fatalf("the call hung until the test's guard: %+v", out.Attempts)
	}
	return out, rec
}

// refusedAsTheGateway asserts that the last model's refusal (m.bad's) came
// back as the gateway's own 400, for the caller to write in the client
// API's shape, nothing billed and nothing written yet, and returns it.
func (m *misbehaving) refusedAsTheGateway(t *testing.T, out upstream.Outcome, rec *httptest.ResponseRecorder, reason string) *router.Error {
	t.Helper()
	assert.Equal(t, http.StatusBadRequest, out.Status)
	assert.Equal(t, m.bad.ID, out.Answered.ID, "the model that refused")
	assert.True(t, out.Refused, "nothing was billed")
	assert.False(t, out.Wrote, "the caller writes the gateway's error")
	assert.Empty(t, rec.Body.String())
	var re *router.Error
	require.ErrorAs(t, out.Err, &re)
	assert.Equal(t, router.EInvalid, re.Code)
	assert.Equal(t, reason, re.Reason)
	return re
}

// writes is a handler that sends status, content type (none when empty)
// and the parts of its body one write and flush each.
func writes(status int, contentType string, parts ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType == "" {
			w.Header()["Content-Type"] = nil // no sniffed type either
		} else {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		w.(http.Flusher).Flush()
		for _, p := range parts {
			_, _ = fmt.Fprint(w, p)
			w.(http.Flusher).Flush()
		}
	}
}
