package server

import (
	"net/http"
	"testing"
)

// FuzzGateway posts arbitrary bodies to the routed endpoints: whatever the
// body, the answer is a well-formed response with a request id, never a
// panic or a 500. Seeds live in testdata/fuzz/FuzzGateway.
func FuzzGateway(f *testing.F) {
	f.Add(chatBody, uint8(0))
	f.Add(`{"model":"model-router","input":[{"role":"user","content":[{"type":"input_image"}]}],"tools":[{"type":"web_search_preview"}]}`, uint8(1))
	f.Add(`{"model":"model-router","messages":[{"role":"user","content":"x"}],"routing_config":{"models":["nano","claude"],"require_parameters":true},"logprobs":true}`, uint8(2))
	log := &recordLog{}
	srv := New(Config{Router: newTestRouter(f, nil), Forwarder: &fakeForwarder{}, Log: log, AgentToolsOpenAIOnly: true})
	h := srv.Handler()
	paths := []string{"/v1/chat/completions", "/v1/responses", "/v1/route", "/openai/deployments/model-router/chat/completions"}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		path := paths[int(which)%len(paths)]
		w := do(h, http.MethodPost, path, body)
		if w.Code >= 500 {
			t.Fatalf("%s %q: HTTP %d %s", path, body, w.Code, w.Body.String())
		}
		if w.Header().Get(HeaderRequestID) == "" {
			t.Fatalf("no request id")
		}
		if w.Code >= 400 {
			errorOf(t, w.Body.Bytes())
		}
	})
}
