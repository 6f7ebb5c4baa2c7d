package upstream_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// A stream still under way when the Forwarder drains (a shutdown whose
// grace ran out) ends with its API's own error event, naming the
// shutdown, and is the gateway's cut (503), not a client that left.
func TestDrainEndsAStreamWithItsAPIsErrorEvent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		api   upstream.API
		model router.Model
		body  string
		event string // what ends the client's stream
	}{
		{"chat", upstream.APIChatCompletions, openAIModel("gpt-x"),
			`{"model":"router","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			`data: {"error":{"code":"server_shutting_down"`},
		{"responses", upstream.APIResponses, openAIModel("gpt-x"),
			`{"model":"router","stream":true,"input":"hi"}`,
			"event: error\ndata: {\"code\":\"server_shutting_down\""},
		{"messages", upstream.APIMessages, anthropicModel("claude-x"),
			`{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			"event: error\ndata: {\"error\":{"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakes(t)
			// (Three events: a Responses stream's answer begins at its
			// third, after response.created and response.in_progress.)
			f.openai.Set("gpt-x", upstreamtest.Behavior{Stall: true, StallAfter: 3})
			f.anthropic.Set("claude-x", upstreamtest.Behavior{Stall: true, StallAfter: 2})
			drain, cut := context.WithCancel(context.Background())
			defer cut()
			f.fwd.Drain = drain
			rec := httptest.NewRecorder()
			// The drain comes once the stream has begun: the client has its
			// first bytes, and the fake holds the rest back (it stalls).
			w := &onFirstWrite{ResponseRecorder: rec, first: cut}
			out := f.fwd.Forward(context.Background(), w, upstream.Call{API: tc.api, Stream: true,
				Raw: []byte(tc.body), Order: []router.Model{tc.model}})
			body := rec.Body.String()
			assert.Equal(t, http.StatusServiceUnavailable, out.Status, body)
			assert.Equal(t, router.EUnavailable, router.ErrorCode(out.Err))
			assert.True(t, out.Wrote)
			assert.Contains(t, body, tc.event)
			assert.Contains(t, body, "shutting down")
		})
	}
}

// A background response's stream cut by the drain leaves the job going at
// the provider: the client is told to read on by its id, not to send the
// call again, which would start (and bill) a second job.
func TestDrainTellsABackgroundStreamToReadOnByID(t *testing.T) {
	f := newFakes(t)
	// response.created and response.queued, then the job waits.
	f.openai.Set("gpt-x", upstreamtest.Behavior{Stall: true, StallAfter: 2})
	drain, cut := context.WithCancel(context.Background())
	defer cut()
	f.fwd.Drain = drain
	rec := httptest.NewRecorder()
	w := &onFirstWrite{ResponseRecorder: rec, first: cut}
	out := f.fwd.Forward(context.Background(), w, upstream.Call{API: upstream.APIResponses, Stream: true,
		Raw: []byte(`{"model":"router","stream":true,"background":true,"input":"hi"}`), Order: []router.Model{openAIModel("gpt-x")}})
	body := rec.Body.String()
	assert.Equal(t, http.StatusServiceUnavailable, out.Status, body)
	assert.Contains(t, body, "event: error\ndata: {\"code\":\"server_shutting_down\"")
	assert.Contains(t, body, "goes on at the provider")
	assert.Contains(t, body, "starting_after")
	assert.NotContains(t, body, "retry the request")
}

// A call whose answer has not begun when the Forwarder drains is not
// written: the caller answers it with a 503 the client may retry.
func TestDrainAnswersACallNotYetAnsweredWith503(t *testing.T) {
	f := newFakes(t)
	f.openai.Set("gpt-x", upstreamtest.Behavior{Stall: true})
	drain, cut := context.WithCancel(context.Background())
	defer cut()
	f.fwd.Drain = drain
	// The drain comes while the first model holds the request unanswered.
	go func() {
		select {
		case <-f.openai.Received("gpt-x"):
			cut()
		case <-drain.Done():
		}
	}()
	rec := httptest.NewRecorder()
	out := f.fwd.Forward(context.Background(), rec, upstream.Call{API: upstream.APIChatCompletions,
		Raw:   []byte(`{"model":"router","messages":[{"role":"user","content":"hi"}]}`),
		Order: []router.Model{openAIModel("gpt-x"), openAIModel("gpt-y")}})
	require.False(t, out.Wrote)
	assert.Equal(t, http.StatusServiceUnavailable, out.Status)
	assert.Equal(t, router.EUnavailable, router.ErrorCode(out.Err))
	assert.True(t, strings.Contains(router.ErrorMessage(out.Err), "shutting down"), out.Err)
	assert.Len(t, out.Attempts, 1, "no model is tried once draining")
}

// onFirstWrite is a response writer that calls first once, after the
// first bytes of the body reach the client.
type onFirstWrite struct {
	*httptest.ResponseRecorder
	once  sync.Once
	first func()
}

func (w *onFirstWrite) Write(b []byte) (int, error) {
	n, err := w.ResponseRecorder.Write(b)
	w.once.Do(w.first)
	return n, err
}

func (w *onFirstWrite) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// A streamed read of a background response by its id (GET
// /responses/{id}?stream=true) that the drain cuts is told to read on from
// starting_after, as the stream that made the job is: the job goes on,
// and sending the read again as it was, which "retry the request" asks
// for, replays the events the client already has.
func TestDrainTellsAStreamedReadToReadOnFromStartingAfter(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":7,\"delta\":\"three \"}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the job goes on; nothing more comes yet
	}))
	t.Cleanup(func() {
		provider.CloseClientConnections()
		provider.Close()
	})
	drain, cut := context.WithCancel(context.Background())
	defer cut()
	fwd := &upstream.Forwarder{Providers: upstream.FromEnv(envOf(map[string]string{
		"OPENAI_BASE_URL": provider.URL + "/v1", "OPENAI_API_KEY": "sk-x",
	})), AttemptTimeout: 2 * time.Second, Drain: drain}
	rec := httptest.NewRecorder()
	w := &onFirstWrite{ResponseRecorder: rec, first: cut}

	out := fwd.Forward(context.Background(), w, upstream.Call{
		API: upstream.APIResponses, Stream: true, Order: []router.Model{openAIModel("gpt-x")},
		Relay: &upstream.Relay{Method: http.MethodGet, Path: "/resp_1", Query: url.Values{"starting_after": {"6"}}},
	})

	body := rec.Body.String()
	assert.Equal(t, http.StatusServiceUnavailable, out.Status, body)
	require.Contains(t, body, "event: error\ndata: {\"code\":\"server_shutting_down\"")
	errorEvent := body[strings.LastIndex(body, "event: error"):]
	assert.Contains(t, errorEvent, `"sequence_number":7`, "the error repeats the last event's number, to read on after")
	assert.Contains(t, errorEvent, "starting_after")
	assert.NotContains(t, errorEvent, "retry the request")
	assert.NotContains(t, errorEvent, "sending the call again", "a read starts no job")
}
