package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A provider's error event that echoes the gateway's provider key, passed
// to the client mid-stream, has the key replaced with [redacted], as an
// error body has: on Chat Completions, Responses and Messages streams.
func TestProviderKeyInAStreamErrorEventIsRedacted(t *testing.T) {
	const secret = "sk-provider-secret-0123456789"
	for _, tc := range []struct {
		name, kind, format string
		api                upstream.API
		raw                string
		events             []string
	}{
		{"chat", upstream.KindOpenAI, "OpenAI", upstream.APIChatCompletions,
			`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			[]string{
				`data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}`,
				`data: {"error":{"message":"Incorrect API key provided: ` + secret + `","type":"invalid_request_error"}}`,
				"data: [DONE]",
			}},
		{"responses", upstream.KindOpenAI, "OpenAI", upstream.APIResponses,
			`{"model":"m","stream":true,"input":"hi"}`,
			[]string{
				"event: response.created\n" + `data: {"type":"response.created","sequence_number":0,"response":{"id":"r1","model":"m","status":"in_progress"}}`,
				"event: response.output_item.added\n" + `data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`,
				"event: error\n" + `data: {"type":"error","sequence_number":1,"code":"invalid_api_key","message":"Incorrect API key provided: ` + secret + `"}`,
				"event: response.failed\n" + `data: {"type":"response.failed","sequence_number":2,"response":{"id":"r1","model":"m","status":"failed","error":{"message":"Incorrect API key provided: ` + secret + `"}}}`,
			}},
		{"messages", upstream.KindAnthropic, "Anthropic", upstream.APIMessages,
			`{"model":"m","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`,
			[]string{
				"event: message_start\n" + `data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":1,"output_tokens":0}}}`,
				"event: content_block_start\n" + `data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
				"event: content_block_delta\n" + `data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}`,
				"event: error\n" + `data: {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key ` + secret + `"}}`,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				for _, ev := range tc.events {
					_, _ = w.Write([]byte(ev + "\n\n"))
				}
			}))
			t.Cleanup(up.Close)
			ps := upstream.Providers{ByName: map[string]upstream.Provider{
				"p": {Name: "p", Kind: tc.kind, BaseURL: up.URL, APIKey: secret},
			}}
			fwd := &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second, Deadline: 10 * time.Second}
			rec := httptest.NewRecorder()
			out := fwd.Forward(context.Background(), rec, upstream.Call{API: tc.api, Stream: true, Raw: []byte(tc.raw),
				Order: []router.Model{{ID: "m-id", Name: "m", Provider: "p", Format: tc.format}}})
			body := rec.Body.String()
			assert.True(t, out.Wrote)
			assert.NotContains(t, body, secret, "the provider key reached the client in a stream error event")
			assert.Contains(t, body, "[redacted]", "the provider's error event still reaches the client")
		})
	}
}
