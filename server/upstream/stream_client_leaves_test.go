package upstream_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// leavingWriter is a client connection that goes away once it has had the
// answer's text: the gateway's next write fails, and net/http cancels the
// request's context as it does on a failed write.
type leavingWriter struct {
	h      http.Header
	body   strings.Builder
	leave  string // the first write containing it fails
	cancel context.CancelFunc
	gone   bool
}

func (w *leavingWriter) Header() http.Header { return w.h }
func (w *leavingWriter) WriteHeader(int)     {}
func (w *leavingWriter) Flush()              {}
func (w *leavingWriter) Write(p []byte) (int, error) {
	if w.gone || strings.Contains(string(p), w.leave) {
		w.gone = true
		w.cancel()
		return 0, errors.New("write: broken pipe")
	}
	return w.body.Write(p)
}

// A Messages client that leaves after an OpenAI-compatible model's finish
// reason has had the whole answer: a success, not a 499, whether the
// gateway notices on its upstream read or, as here, on its next write
// (message_delta, built from the usage chunk that follows the finish).
func TestMessagesClientLeavesAfterFinishNoticedOnWrite(t *testing.T) {
	o := newScripted(t)
	o.set("gpt-x",
		sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hi there"},"finish_reason":"stop"}]}`),
		sseData(`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`),
		sseData("[DONE]"))
	fwd := scriptedForwarder(o, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &leavingWriter{h: http.Header{}, leave: "message_delta", cancel: cancel}
	out := fwd.Forward(ctx, w, upstream.Call{API: upstream.APIMessages, Stream: true,
		Raw:   []byte(`{"model":"router","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"hi"}]}`),
		Order: []router.Model{openAIModel("gpt-x")}})
	assert.Contains(t, w.body.String(), "Hi there", "the client had the text")
	assert.Equal(t, 200, out.Status, "the provider had sent the finish reason: as when the read notices first")
	assert.Nil(t, out.Err)
}
