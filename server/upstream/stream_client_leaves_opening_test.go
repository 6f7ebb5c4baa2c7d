package upstream_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// leaveAfterFirstRead is a transport whose response bodies end the
// client's call (leave) once the gateway has read their first bytes: the
// client hangs up while the gateway holds what the provider sent first.
type leaveAfterFirstRead struct{ leave context.CancelFunc }

func (l leaveAfterFirstRead) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		resp.Body = &leavingBody{ReadCloser: resp.Body, leave: l.leave}
	}
	return resp, err
}

// leaveBeforeHeaders is a transport whose calls the client ends (leave)
// once they are sent, before the provider's headers come.
type leaveBeforeHeaders struct{ leave context.CancelFunc }

func (l leaveBeforeHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	l.leave()
	return http.DefaultTransport.RoundTrip(r)
}

type leavingBody struct {
	io.ReadCloser
	leave context.CancelFunc
	once  sync.Once
	reads int
}

func (b *leavingBody) Read(p []byte) (int, error) {
	b.reads++
	if b.reads > 1 {
		b.once.Do(b.leave)
	}
	return b.ReadCloser.Read(p)
}

// A client that leaves while the gateway holds the opening of a stream
// or reads a JSON answer, or before the provider's headers came,
// (the role chunk OpenAI sends first, before any text; translated for a
// Messages client as message_start) is logged as the client that left,
// in its attempt too, as one that leaves once the answer has begun: the
// provider did not break its answer ("stream broke off: context canceled"
// and "answer broke off: context canceled" blamed it, under the
// provider's 200; before the headers it read "cancelled: context
// canceled").
func TestAClientThatLeavesWhileTheOpeningIsHeldIsLoggedAsGone(t *testing.T) {
	for _, c := range []struct {
		api           upstream.API
		stream        bool
		beforeHeaders bool
	}{
		{upstream.APIChatCompletions, true, false}, {upstream.APIMessages, true, false},
		{upstream.APIChatCompletions, false, false}, {upstream.APIChatCompletions, true, true},
	} {
		name := string(c.api) + map[bool]string{true: " stream", false: " JSON"}[c.stream]
		if c.beforeHeaders {
			name += " before the headers"
		}
		t.Run(name, func(t *testing.T) {
			provider := openingThenHeld(t, c.stream)
			ctx, leave := context.WithCancel(context.Background())
			defer leave()
			fwd := scriptedForwarder(&scripted{srv: provider}, nil)
			fwd.Client = &http.Client{Transport: leaveAfterFirstRead{leave: leave}}
			if c.beforeHeaders {
				fwd.Client = &http.Client{Transport: leaveBeforeHeaders{leave: leave}}
			}
			rec := httptest.NewRecorder()

			out := fwd.Forward(ctx, rec, upstream.Call{API: c.api, Stream: c.stream, Raw: bodyFor(c.api, c.stream),
				Order: []router.Model{openAIModel("gpt-x"), openAIModel("gpt-y")}})

			assert.Equal(t, 499, out.Status)
			require.Len(t, out.Attempts, 1, "a client that left is not failed over for: %+v", out.Attempts)
			assert.Equal(t, 499, out.Attempts[0].Status, "%+v", out.Attempts[0])
			assert.Equal(t, "client closed the request", out.Attempts[0].Error)
			assert.Empty(t, rec.Body.String(), "nothing went to the client")
		})
	}
}

// A shutdown whose grace runs out while the gateway holds a stream's
// opening, reads a JSON answer or waits for the headers, is the gateway's
// cut: the attempt says
// so, as one cut once the answer has begun does, and so does the 503 the
// client gets, which names each model's outcome. "stream broke off:
// context canceled" told the client and the log that the provider broke
// its answer.
func TestAShutdownThatCutsAHeldOpeningIsLoggedAsTheGatewaysCut(t *testing.T) {
	for _, c := range []struct {
		stream        bool
		beforeHeaders bool
	}{{true, false}, {false, false}, {true, true}} {
		stream := c.stream
		name := map[bool]string{true: "stream", false: "JSON"}[stream]
		if c.beforeHeaders {
			name += " before the headers"
		}
		t.Run(name, func(t *testing.T) {
			provider := openingThenHeld(t, stream)
			drain, graceOver := context.WithCancel(context.Background())
			defer graceOver()
			fwd := scriptedForwarder(&scripted{srv: provider}, nil)
			fwd.Drain = drain
			fwd.Client = &http.Client{Transport: leaveAfterFirstRead{leave: graceOver}}
			if c.beforeHeaders {
				fwd.Client = &http.Client{Transport: leaveBeforeHeaders{leave: graceOver}}
			}
			rec := httptest.NewRecorder()

			out := fwd.Forward(context.Background(), rec, upstream.Call{API: upstream.APIChatCompletions, Stream: stream,
				Raw: bodyFor(upstream.APIChatCompletions, stream), Order: []router.Model{openAIModel("gpt-x"), openAIModel("gpt-y")}})

			assert.Equal(t, http.StatusServiceUnavailable, out.Status)
			require.Len(t, out.Attempts, 1, "a call cut at shutdown is not failed over: %+v", out.Attempts)
			assert.Equal(t, http.StatusServiceUnavailable, out.Attempts[0].Status, "%+v", out.Attempts[0])
			assert.Equal(t, "cut at shutdown", out.Attempts[0].Error)
			require.Error(t, out.Err)
			assert.Contains(t, out.Err.Error(), "the gateway is shutting down")
			assert.NotContains(t, out.Err.Error(), "broke off", "the provider broke nothing")
		})
	}
}

// openingThenHeld is a provider that sends an answer's opening (a stream's
// first chunk, or a JSON answer's first part) and then holds the call until
// the gateway gives it up.
func openingThenHeld(t *testing.T, stream bool) *httptest.Server {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if stream {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}`))
		} else {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"c1","object":"chat.completion","created":1,"model":"gpt-x","choices":[{"index":0,"message":{"role":"assistant","content":"Hel`)
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(func() {
		provider.CloseClientConnections()
		provider.Close()
	})
	return provider
}
