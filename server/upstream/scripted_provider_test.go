package upstream_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/modelrouter/modelrouter/server/upstream"
)

// scripted is a provider whose answers, per model, are raw SSE text the
// test writes event by event (flushing each), so a stream can be as broken
// as a real provider's: an error chunk, malformed data, a missing end.
// The upstreamtest fakes only send well-formed streams.
type scripted struct {
	mu      sync.Mutex
	scripts map[string][]string
	// hold keeps the connection open after the script until the request
	// is cancelled.
	hold map[string]bool
	srv  *httptest.Server
}

func newScripted(t testing.TB) *scripted {
	s := &scripted{scripts: map[string][]string{}, hold: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body struct {
			Model string `json:"model"`
		}
		_ = json.Unmarshal(raw, &body)
		s.mu.Lock()
		events, ok := s.scripts[body.Model]
		hold := s.hold[body.Model]
		s.mu.Unlock()
		if !ok {
			http.Error(w, "no script for "+body.Model, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for _, ev := range events {
			_, _ = io.WriteString(w, ev)
			w.(http.Flusher).Flush()
		}
		if hold {
			<-r.Context().Done()
		}
	}))
	t.Cleanup(func() {
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

func (s *scripted) set(model string, events ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[model] = events
}

// scriptedForwarder is a Forwarder whose "openai" provider is o and whose
// "anthropic" provider is a (either may be nil).
func scriptedForwarder(o, a *scripted) *upstream.Forwarder {
	env := map[string]string{}
	if o != nil {
		env["OPENAI_BASE_URL"], env["OPENAI_API_KEY"] = o.srv.URL+"/v1", "sk-o"
	}
	if a != nil {
		env["ANTHROPIC_BASE_URL"], env["ANTHROPIC_API_KEY"] = a.srv.URL, "sk-a"
	}
	return &upstream.Forwarder{Providers: upstream.FromEnv(envOf(env)), AttemptTimeout: 2 * time.Second, Deadline: 10 * time.Second, StreamIdle: 10 * time.Second}
}

func sseData(data string) string { return "data: " + data + "\n\n" }

func sseNamed(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }

func chatChunkText(model, text string) string {
	return sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"` + model + `","choices":[{"index":0,"delta":{"content":"` + text + `"},"finish_reason":null}]}`)
}

const streamChatBody = `{"model":"router","stream":true,"messages":[{"role":"user","content":"hi"}]}`

// finishChunk is a chat.completion.chunk that ends the answer; %s is the
// model.
const finishChunk = `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"%s","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`
