package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzGateway posts arbitrary bodies to the routed endpoints: whatever the
// body, the answer is a well-formed response with a request id, never a
// panic or a 500. Seeds live in testdata/fuzz/FuzzGateway.
func FuzzGateway(f *testing.F) {
	f.Add(chatBody, uint8(0))
	f.Add(`{"model":"model-router","input":[{"role":"user","content":[{"type":"input_image"}]}],"tools":[{"type":"web_search_preview"}]}`, uint8(1))
	f.Add(`{"model":"model-router","messages":[{"role":"user","content":"x"}],"routing_config":{"models":["nano","claude"],"require_parameters":true},"logprobs":true}`, uint8(2))
	f.Add(`{"model":"model-router","max_tokens":9,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image"}]}]}],"tools":[{"type":"web_search_20250305","name":"w"}]}`, uint8(4))
	f.Add(`{"model":"model-router","previous_response_id":"resp_k2","input":[{"type":"function_call_output","call_id":"c","output":"x"}]}`, uint8(1))
	log := &recordLog{}
	// A kept conversation, so continuations of it are fuzzed too.
	kept := &memResponses{}
	for _, r := range []StoredResponse{
		{ID: "resp_k1", Model: "claude", Input: json.RawMessage(`[{"role":"user","content":"hi"}]`), Output: json.RawMessage(`[{"role":"assistant","content":"hello"}]`)},
		{ID: "resp_k2", PreviousID: "resp_k1", Model: "claude", Input: json.RawMessage(`[]`),
			Output: json.RawMessage(`[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"}]`)},
	} {
		require.NoError(f, kept.PutResponse(context.Background(), r))
	}
	srv := New(Config{Router: newTestRouter(f, nil), Forwarder: &fakeForwarder{}, Log: log, AgentToolsOpenAIOnly: true, Responses: kept})
	h := srv.Handler()
	paths := []string{"/v1/chat/completions", "/v1/responses", "/v1/route", "/openai/deployments/model-router/chat/completions", "/v1/messages", "/anthropic/v1/messages/count_tokens"}
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
			if strings.Contains(path, "/messages") {
				anthropicErrorOf(t, w.Body.Bytes())
			} else {
				errorOf(t, w.Body.Bytes())
			}
		}
	})
}

// anthropicErrorOf checks an error body has Anthropic's shape.
func anthropicErrorOf(t testing.TB, body []byte) {
	t.Helper()
	var e struct {
		Type  string `json:"type"`
		Error *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Type != "error" || e.Error == nil || e.Error.Type == "" || e.Error.Message == "" {
		t.Fatalf("not an Anthropic error body: %s", body)
	}
}
